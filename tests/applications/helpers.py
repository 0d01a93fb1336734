"""Sample files and a ready-to-submit application, built through the services."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from banzu.applications import services
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.core import filestore
from tests.conftest import BEFORE_DEADLINE
from tests.factories import complete_fields
from tests.uploads import samples

# One sample per kind for the whole run: python-docx and python-pptx stamp the time into each
# file, and identical bytes let the suite reuse a parse check (tests/conftest.py).
_SAMPLES: dict[str, tuple[str, bytes]] = {}


def sample_bytes(kind: str, tmp_path: Path) -> tuple[str, bytes]:
    if kind not in _SAMPLES:
        _SAMPLES[kind] = _make_sample(kind, tmp_path)
    return _SAMPLES[kind]


def _make_sample(kind: str, tmp_path: Path) -> tuple[str, bytes]:
    if kind == DocumentKind.MATERIALS_DOCX:
        return "材料.docx", samples.make_docx(tmp_path / "m.docx").read_bytes()
    if kind == DocumentKind.PRESENTATION:
        return "发布.pptx", samples.make_pptx(tmp_path / "p.pptx").read_bytes()
    return "材料.pdf", samples.make_pdf(tmp_path / f"{kind}.pdf").read_bytes()


def upload(
    application: Application,
    kind: str,
    tmp_path: Path,
    name: str | None = None,
    *,
    now: dt.datetime = BEFORE_DEADLINE,
):
    """Through the upload service, at `now` (the 2026 edition's deadline is in the past)."""
    default_name, content = sample_bytes(kind, tmp_path)
    return services.upload_document(
        application=application,
        user=application.created_by,
        kind=kind,
        upload=SimpleUploadedFile(name or default_name, content),
        now=now,
    )


def store_document(
    application: Application, kind: str, tmp_path: Path, name: str | None = None
) -> Document:
    """A current document of `kind`, its sample bytes written through the real file store, without
    upload validation: for set-up whose subject is not the upload path (`upload` is that path)."""
    default_name, content = sample_bytes(kind, tmp_path)
    stored_name = filestore.commit_temp(filestore.write_temp([content]))
    document = Document(
        application=application,
        kind=kind,
        original_name=name or default_name,
        stored_name=stored_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=application.created_by,
    )
    document.full_clean()
    document.save()
    return document


def make_complete(
    application: Application, tmp_path: Path, *, through_upload: bool = False
) -> Application:
    """Every field filled and every document in place: ready to submit. The documents are stored
    directly (the same bytes the upload accepts) unless `through_upload` asks for the service."""
    application = services.save_draft(
        application=application,
        user=application.created_by,
        fields=complete_fields(),
        honours=[],
        expected_version=application.version,
        now=BEFORE_DEADLINE,
    )
    for kind in DocumentKind:
        if through_upload:
            upload(application, kind, tmp_path)
        else:
            store_document(application, kind, tmp_path)
    return application


def as_file(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle
