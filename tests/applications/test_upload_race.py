"""A file never attaches to an application submitted while the file was being validated."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from banzu.applications import services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.core.errors import ServiceError
from tests.applications.helpers import sample_bytes
from tests.conftest import BEFORE_DEADLINE
from tests.factories import ApplicationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_parse]


class SubmittedWhileReading(SimpleUploadedFile):
    """An upload whose last chunk arrives after another request submitted the application:
    what happens when the submit button is pressed in a second tab during a slow upload."""

    def __init__(self, name: str, content: bytes, application: Application) -> None:
        super().__init__(name, content)
        self.application = application

    def chunks(self, chunk_size=None):
        yield from super().chunks(chunk_size)
        Application.objects.filter(pk=self.application.pk).update(state=ApplicationState.SUBMITTED)


def test_upload_refused_when_the_application_was_submitted_during_validation(tmp_path):
    application = ApplicationFactory()
    name, content = sample_bytes(DocumentKind.MATERIALS_PDF, tmp_path)
    uploads_before = AuditEntry.objects.filter(action="document.upload").count()

    with pytest.raises(ServiceError) as refused:
        services.upload_document(
            application=application,  # the caller's copy still says "draft"
            user=application.created_by,
            kind=DocumentKind.MATERIALS_PDF,
            upload=SubmittedWhileReading(name, content, application),
            now=BEFORE_DEADLINE,
        )

    assert refused.value.code == "read_only"
    assert Document.objects.filter(application=application).count() == 0
    assert list(filestore.stored_files()) == []
    assert list((filestore.root() / "tmp").iterdir()) == []
    assert AuditEntry.objects.filter(action="document.upload").count() == uploads_before


def test_upload_to_a_draft_still_attaches(tmp_path):
    application = ApplicationFactory()
    name, content = sample_bytes(DocumentKind.MATERIALS_PDF, tmp_path)

    document = services.upload_document(
        application=application,
        user=application.created_by,
        kind=DocumentKind.MATERIALS_PDF,
        upload=SimpleUploadedFile(name, content),
        now=BEFORE_DEADLINE,
    )

    assert list(Document.objects.filter(application=application)) == [document]
    assert list(filestore.stored_files()) == [document.stored_name]
