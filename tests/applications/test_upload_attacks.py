"""Each upload attack through the real view: refused with a clear message, nothing else lost."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from banzu.applications import services
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.core import filestore
from tests.applications.helpers import upload
from tests.conftest import client_for
from tests.factories import ApplicationFactory
from tests.uploads import samples

# The upload path itself: every file goes to the real parse child (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.real_parse]


def _zip_bomb(tmp_path):
    return "材料.docx", samples.make_zip_bomb(tmp_path / "bomb.docx", megabytes=120).read_bytes()


def _macro_docx(tmp_path):
    return "材料.docx", samples.make_macro_docx(tmp_path).read_bytes()


def _macro_pptx(tmp_path):
    return "发布.pptx", samples.make_macro_pptx(tmp_path).read_bytes()


def _doctype_docx(tmp_path):
    base = samples.make_docx(tmp_path / "base.docx")
    bad = samples.rewrite_zip(
        base, tmp_path / "doctype.docx", replace={"word/document.xml": samples.BILLION_LAUGHS}
    )
    return "材料.docx", bad.read_bytes()


def _html_as_pdf(tmp_path):
    return "材料.pdf", b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def _exe_as_pdf(tmp_path):
    return "材料.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


def _traversal_zip(tmp_path):
    base = samples.make_docx(tmp_path / "base.docx")
    bad = samples.rewrite_zip(base, tmp_path / "trav.docx", add=[("../../evil.sh", b"rm -rf /")])
    return "材料.docx", bad.read_bytes()


ATTACKS = [
    ("zip bomb", DocumentKind.MATERIALS_DOCX, _zip_bomb, "zip_bomb", "unreasonably compressed"),
    ("macro docx", DocumentKind.MATERIALS_DOCX, _macro_docx, "macro", "contains macros"),
    ("macro pptx", DocumentKind.PRESENTATION, _macro_pptx, "macro", "contains macros"),
    ("doctype", DocumentKind.MATERIALS_DOCX, _doctype_docx, "doctype", "forbidden XML"),
    ("html as pdf", DocumentKind.MATERIALS_PDF, _html_as_pdf, "magic", "does not match"),
    ("exe as pdf", DocumentKind.SIGNED_FORM, _exe_as_pdf, "magic", "does not match"),
    ("zip traversal", DocumentKind.MATERIALS_DOCX, _traversal_zip, "path", "unsafe internal"),
]


@pytest.mark.parametrize(
    ("label", "kind", "build", "code", "message"), ATTACKS, ids=[a[0] for a in ATTACKS]
)
def test_upload_attack_refused_with_message(
    tmp_path, open_edition, label, kind, build, code, message
):
    application = ApplicationFactory()
    kept = upload(
        application,
        DocumentKind.PRESENTATION
        if kind != DocumentKind.PRESENTATION
        else DocumentKind.MATERIALS_PDF,
        tmp_path,
    )
    services.save_draft(
        application=application,
        user=application.created_by,
        fields={"experience_title": "保留的经验名称"},
        honours=None,
        expected_version=application.version,
    )
    name, content = build(tmp_path)

    response = client_for(application.created_by).post(
        reverse("applications:files", args=[application.pk]),
        {"kind": kind.value, "file": SimpleUploadedFile(name, content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert list(Document.objects.filter(application=application)) == [kept]
    assert sorted(filestore.stored_files()) == [kept.stored_name]
    application.refresh_from_db()
    assert application.experience_title == "保留的经验名称"


def test_upload_path_traversal_name_is_neutralised(tmp_path, open_edition):
    application = ApplicationFactory()
    content = samples.make_pdf(tmp_path / "a.pdf").read_bytes()

    client_for(application.created_by).post(
        reverse("applications:files", args=[application.pk]),
        {"kind": "materials_pdf", "file": SimpleUploadedFile("../../../etc/passwd.pdf", content)},
    )

    document = Document.objects.get(application=application)
    assert document.original_name == "passwd.pdf"
    assert filestore.path_for(document.stored_name).parent.parent == filestore.root()


def test_upload_oversized_file_refused(tmp_path, settings, open_edition):
    settings.BANZU_UPLOAD_LIMITS_MB = {"docx": 1, "pdf": 1, "pptx": 1}
    application = ApplicationFactory()
    content = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 1)

    response = client_for(application.created_by).post(
        reverse("applications:files", args=[application.pk]),
        {"kind": "materials_pdf", "file": SimpleUploadedFile("big.pdf", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "The file is too large: at most 1 MB is allowed." in response.content.decode()
    assert Document.objects.count() == 0


def test_upload_wrong_kind_for_slot_refused(tmp_path, open_edition):
    application = ApplicationFactory()
    content = samples.make_pptx(tmp_path / "p.pptx").read_bytes()

    response = client_for(application.created_by).post(
        reverse("applications:files", args=[application.pk]),
        {"kind": "materials_docx", "file": SimpleUploadedFile("slides.pptx", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "This kind of file is not accepted here." in response.content.decode()
    assert Document.objects.count() == 0
