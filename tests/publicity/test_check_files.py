"""`manage.py check_files` knows the files the later stages keep: objection evidence and the
scans of paper presentation sheets are neither orphans nor lost without a word."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from banzu.core import filestore
from banzu.presentations.models import PresentationSheet
from banzu.publicity.models import Objection, ObjectionFile


def test_objection_files_and_paper_scans_are_known_and_a_lost_one_is_reported(
    opened, sealed, capsys
):
    objection = Objection.objects.create(
        publicity=opened,
        real_name="张三",
        phone="13605792309",
        email="zhangsan@example.com",
        application=sealed.team("甲班组"),
        grounds="经验材料与他人雷同",
    )
    kept = filestore.commit_temp(filestore.write_temp([b"%PDF-1.4 evidence"]))
    ObjectionFile.objects.create(
        objection=objection,
        role="evidence",
        original_name="证据.pdf",
        stored_name=kept,
        sha256=hashlib.sha256(b"%PDF-1.4 evidence").hexdigest(),
        kind="pdf",
        size=17,
    )
    lost = ObjectionFile.objects.create(
        objection=objection,
        role="evidence",
        original_name="丢失.pdf",
        stored_name="0" * 32,
        sha256="1" * 64,
        kind="pdf",
        size=1,
    )
    scan = filestore.commit_temp(filestore.write_temp([b"\x89PNG scan"]))
    sheet = PresentationSheet.objects.filter(scan_path="").order_by("pk").first()
    assert sheet is not None
    sheet.scan_path = scan
    sheet.save(update_fields=["scan_path"])

    with pytest.raises(CommandError):
        call_command("check_files")

    out = capsys.readouterr().out
    assert kept not in out
    assert scan not in out
    assert f"row without file: objection file {lost.pk} ({'0' * 32})" in out
