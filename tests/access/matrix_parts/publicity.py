"""The publicity pages' rows (banzu.publicity). The public list, the objection form and the
status look-up need no login (a room secretary is outside them: 404); the objections and the
window are the provincial admin's alone.

The demo's event is still running, so args() makes an edition of its own (the year before the
demo's first, so the other parts' versions of the demo's editions are left alone), stores a
sealed results version of it directly (listing the applicant's application for 一等奖), opens the
window on today's date for ten days, and files one objection with a PDF through the service."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from banzu.applications.models import Application
from banzu.publicity import services
from tests.access.matrix_world import edition_before_all, open_publicity, sealed_version

ROWS: dict[str, str] = {
    "publicity:public": "200 200 200 200 200 200 200 200 404",
    "publicity:notice": "200 200 200 200 200 200 200 200 404",
    "publicity:object": "200 200 200 200 200 200 200 200 404",
    "publicity:status": "200 200 200 200 200 200 200 200 404",
    "publicity:open": "login 404 404 404 404 404 404 200 404",
    "publicity:objections": "login 404 404 404 404 404 404 200 404",
    "publicity:publish": "login 404 404 404 404 404 404 200 404",
    "publicity:objection": "login 404 404 404 404 404 404 200 404",
    "publicity:file": "login 404 404 404 404 404 404 200 404",
}


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    admin = users["admin"]
    application = Application.objects.filter(created_by=users["applicant"]).order_by("pk").first()
    assert application is not None
    edition = edition_before_all("矩阵")
    publicity = open_publicity(sealed_version(edition, admin, application), admin)
    objection = services.file_objection(
        publicity,
        services.ObjectionData(
            objector_kind="person",
            real_name="王敏",
            organisation="",
            phone="13900001111",
            email="wangmin@example.cn",
            application_id=application.pk,
            grounds="矩阵",
            evidence=(SimpleUploadedFile("证据.pdf", _pdf()),),
        ),
    )
    return {
        "publicity:public": {"year": edition.year},
        "publicity:notice": {"year": edition.year, "fmt": "pdf"},
        "publicity:object": {"year": edition.year},
        "publicity:open": {"year": edition.year},
        "publicity:objections": {"year": edition.year},
        "publicity:publish": {"year": edition.year},
        "publicity:objection": {"pk": objection.pk},
        "publicity:file": {"pk": objection.pk, "file_pk": objection.files.get().pk},
    }
