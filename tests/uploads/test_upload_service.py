"""The applicant's upload through the service: a second upload of the same applicant while one
is being checked is refused with a message they can act on, another applicant's upload goes
ahead; every rejection code has its own message for the applicant."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from banzu.accounts.models import User
from banzu.applications import services
from banzu.applications.enums import DocumentKind
from banzu.applications.messages import upload_message
from banzu.applications.models import Application, Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.core.errors import ServiceError
from banzu.editions.models import Edition
from banzu.uploads import slots
from banzu.uploads.validation import REJECTION_MESSAGES
from tests.factories import ApplicationFactory, TeamFactory
from tests.uploads import hostile, samples
from tests.uploads.test_slots import holder

pytestmark = pytest.mark.real_parse


@pytest.fixture(autouse=True)
def _english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def draft_for(user: User, edition: Edition) -> Application:
    return cast(
        Application,
        ApplicationFactory(
            edition=edition, team=TeamFactory(enterprise=user.enterprise), created_by=user
        ),
    )


def pdf_upload(tmp_path: Path, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.make_pdf(tmp_path / name).read_bytes())


def test_upload_while_own_check_runs_busy_other_applicant_proceeds(
    applicant_a: User, applicant_b: User, open_edition: Edition, tmp_path: Path
) -> None:
    mine, theirs = draft_for(applicant_a, open_edition), draft_for(applicant_b, open_edition)
    lock = slots.uploader_lock(filestore.temp_dir(), f"user-{applicant_a.pk}")
    with holder(lock):  # applicant A's first upload, still being checked in another worker
        with pytest.raises(ServiceError) as refused:
            services.upload_document(
                application=mine,
                user=applicant_a,
                kind=DocumentKind.MATERIALS_PDF,
                upload=pdf_upload(tmp_path, "second.pdf"),
            )
        services.upload_document(
            application=theirs,
            user=applicant_b,
            kind=DocumentKind.MATERIALS_PDF,
            upload=pdf_upload(tmp_path, "b.pdf"),
        )
    assert (refused.value.code, refused.value.message) == (
        "busy",
        "Another of your files is still being checked. Upload this one when it has finished.",
    )
    assert list(Document.objects.values_list("application", "original_name")) == [
        (theirs.pk, "b.pdf")
    ]
    rejected = AuditEntry.objects.get(action="document.rejected")
    assert (rejected.actor_id, rejected.data["code"]) == (applicant_a.pk, "busy")
    # Once the first check is over, applicant A uploads as usual.
    again = services.upload_document(
        application=mine,
        user=applicant_a,
        kind=DocumentKind.MATERIALS_PDF,
        upload=pdf_upload(tmp_path, "second.pdf"),
    )
    assert (again.application, again.original_name) == (mine, "second.pdf")


def test_upload_hostile_pdf_refused_with_its_message(
    applicant_a: User, open_edition: Edition, tmp_path: Path
) -> None:
    application = draft_for(applicant_a, open_edition)
    path = hostile.one_page_pdf(
        tmp_path / "x.pdf", catalog=b"/OpenAction " + (b"<< /S /Launch /F (cmd.exe) >>")
    )
    with pytest.raises(ServiceError) as refused:
        services.upload_document(
            application=application,
            user=applicant_a,
            kind=DocumentKind.MATERIALS_PDF,
            upload=SimpleUploadedFile("材料.pdf", path.read_bytes()),
        )
    assert (refused.value.code, refused.value.message) == (
        "active_content",
        "The PDF contains scripts, automatic actions, forms or multimedia. Print it to a new PDF "
        "and upload that.",
    )
    assert Document.objects.count() == 0


def test_upload_message_knows_every_rejection_code() -> None:
    fallback = upload_message("no-such-code", 1024 * 1024)
    missing = [code for code in REJECTION_MESSAGES if upload_message(code, 1024 * 1024) == fallback]
    assert missing == []


def test_an_upload_writes_in_a_short_transaction(
    applicant_a: User, open_edition: Edition, tmp_path: Path, django_assert_num_queries: Any
) -> None:
    """The write lock is held for the row lock, the superseded mark, the row, the journal entry
    (its head read, the entry, the head moved) and the screening's look: no query re-checks
    what the database enforces (foreign keys, the unique stored name, one current file a slot)."""
    application = draft_for(applicant_a, open_edition)
    services.upload_document(
        application=application,
        user=applicant_a,
        kind=DocumentKind.MATERIALS_PDF,
        upload=pdf_upload(tmp_path, "first.pdf"),
    )

    # The seven above, the journal's savepoint pair, and the transaction's own pair (a savepoint
    # here inside the test's transaction; BEGIN and COMMIT in production).
    with django_assert_num_queries(11):
        services.upload_document(
            application=application,
            user=applicant_a,
            kind=DocumentKind.MATERIALS_PDF,
            upload=pdf_upload(tmp_path, "second.pdf"),
        )

    current = Document.objects.get(application=application, superseded_at__isnull=True)
    assert (current.original_name, Document.objects.filter(application=application).count()) == (
        "second.pdf",
        2,
    )
