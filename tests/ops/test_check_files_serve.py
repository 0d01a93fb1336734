"""The file store's own guards for what `check_files` looks for: a damaged file is refused when
served (filestore.verified_path; larger files are left to check_files), and a write that fails
half-way leaves no `.part` file behind."""

from __future__ import annotations

import hashlib
import logging

import pytest
from django.urls import reverse

from banzu.applications.enums import DocumentKind
from banzu.core import filestore
from tests.applications.helpers import store_document
from tests.conftest import client_for
from tests.factories import ApplicationFactory


def stored(content: bytes) -> tuple[str, str]:
    return (
        filestore.commit_temp(filestore.write_temp([content])),
        hashlib.sha256(content).hexdigest(),
    )


def test_an_intact_file_is_served():
    name, digest = stored(b"%PDF-1.4 intact")

    assert filestore.verified_path(name, digest) == filestore.path_for(name)


def test_a_damaged_file_is_refused_and_logged(caplog):
    name, digest = stored(b"%PDF-1.4 soon damaged")
    path = filestore.path_for(name)
    path.write_bytes(b"%PDF-1.4 soon damagee")
    found = hashlib.sha256(path.read_bytes()).hexdigest()

    with (
        caplog.at_level(logging.ERROR, logger="banzu.core.filestore"),
        pytest.raises(filestore.DamagedFile) as refused,
    ):
        filestore.verified_path(name, digest)

    assert str(refused.value) == name
    assert caplog.messages == [
        f"stored file {name} is damaged: its row says SHA-256 {digest}, the file has {found}"
    ]


def test_a_file_above_the_serving_limit_is_left_to_check_files(monkeypatch):
    name, digest = stored(b"x" * 2048)
    filestore.path_for(name).write_bytes(b"y" * 2048)
    monkeypatch.setattr(filestore, "VERIFY_ON_SERVE_BYTES", 1024)

    assert filestore.verified_path(name, digest) == filestore.path_for(name)


def test_a_write_that_fails_half_way_leaves_no_part_file():
    def chunks():
        yield b"the first megabyte"
        raise OSError("the upload broke off")

    with pytest.raises(OSError, match="the upload broke off"):
        filestore.write_temp(chunks())

    assert list(filestore.temp_dir().iterdir()) == []


def test_the_applicant_downloading_a_damaged_document_is_told_and_gets_no_bytes(
    applicant_a, tmp_path, caplog
):
    """Through the download view: the page says the copy is damaged (500, in the reader's
    language), the bytes are not sent, and the damage is logged for the administrator."""
    application = ApplicationFactory(
        created_by=applicant_a, team__enterprise=applicant_a.enterprise
    )
    document = store_document(application, DocumentKind.MATERIALS_PDF, tmp_path)
    path = filestore.path_for(document.stored_name)
    path.write_bytes(path.read_bytes()[:-1] + b"#")
    url = reverse(
        "applications:download", kwargs={"pk": application.pk, "document_pk": document.pk}
    )

    with caplog.at_level(logging.ERROR, logger="banzu.core.filestore"):
        response = client_for(applicant_a).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "文件已损坏" in response.content.decode()
    damaged = f"stored file {document.stored_name} is damaged"
    assert [m for m in caplog.messages if m.startswith(damaged)] != []
