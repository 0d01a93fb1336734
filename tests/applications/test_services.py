from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from banzu.applications import services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.core.errors import ServiceError
from tests.applications.helpers import make_complete, upload
from tests.conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from tests.factories import ApplicationFactory, complete_fields


def test_start_application_creates_team_and_draft(applicant_a, hangzhou, open_edition):
    application = services.start_application(
        user=applicant_a, edition=open_edition, team_name="钢筋加工班", recommender=hangzhou
    )

    assert (application.state, application.team.name, application.recommender) == (
        ApplicationState.DRAFT,
        "钢筋加工班",
        hangzhou,
    )
    assert application.team.enterprise == applicant_a.enterprise
    assert AuditEntry.objects.filter(action="application.start").count() == 1


def test_start_application_refuses_team_name_with_enterprise(applicant_a, hangzhou, open_edition):
    with pytest.raises(ServiceError) as refused:
        services.start_application(
            user=applicant_a,
            edition=open_edition,
            team_name="浙江甲建设有限公司钢筋班",
            recommender=hangzhou,
        )
    assert refused.value.code == "team_name"
    assert Application.objects.count() == 0


def test_start_application_after_deadline_refused(applicant_a, hangzhou, edition):
    with pytest.raises(ServiceError) as refused:
        services.start_application(
            user=applicant_a, edition=edition, team_name="钢筋班", recommender=hangzhou
        )
    assert refused.value.code == "deadline"


def test_start_application_twice_for_a_team_refused(applicant_a, hangzhou, open_edition):
    services.start_application(
        user=applicant_a, edition=open_edition, team_name="钢筋班", recommender=hangzhou
    )
    with pytest.raises(ServiceError) as refused:
        services.start_application(
            user=applicant_a, edition=open_edition, team_name="钢筋班", recommender=hangzhou
        )
    assert refused.value.code == "duplicate"


def test_save_draft_stale_version_refused_and_nothing_changes(db):
    application = ApplicationFactory()
    services.save_draft(
        application=application,
        user=application.created_by,
        fields={"experience_title": "第一版"},
        honours=None,
        expected_version=1,
        now=BEFORE_DEADLINE,
    )

    with pytest.raises(services.StaleEdit):
        services.save_draft(
            application=application,
            user=application.created_by,
            fields={"experience_title": "过期的版本"},
            honours=None,
            expected_version=1,
            now=BEFORE_DEADLINE,
        )

    application.refresh_from_db()
    assert (application.experience_title, application.version) == ("第一版", 2)


def test_save_draft_refused_after_submission(db, tmp_path, open_edition):
    application = make_complete(ApplicationFactory(), tmp_path)
    application = services.submit_application(application=application, user=application.created_by)

    with pytest.raises(ServiceError) as refused:
        services.save_draft(
            application=application,
            user=application.created_by,
            fields={"experience_title": "改"},
            honours=None,
            expected_version=application.version,
        )
    assert refused.value.code == "read_only"


def test_submit_incomplete_lists_every_problem(db):
    application = ApplicationFactory()

    with pytest.raises(ServiceError) as refused:
        services.submit_application(
            application=application, user=application.created_by, now=BEFORE_DEADLINE
        )

    codes = [p.code for p in refused.value.problems]
    assert codes.count("missing_field") == 20
    assert codes.count("missing_document") == 4
    assert "no_accident_declaration" in codes
    assert "originality_pledge" in codes
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_submit_with_accident_blocked_with_reason(db, tmp_path):
    application = make_complete(ApplicationFactory(), tmp_path)
    application = services.save_draft(
        application=application,
        user=application.created_by,
        fields={"accident_count": 1},
        honours=None,
        expected_version=application.version,
        now=BEFORE_DEADLINE,
    )

    with pytest.raises(ServiceError) as refused:
        services.submit_application(
            application=application, user=application.created_by, now=BEFORE_DEADLINE
        )

    assert [p.code for p in refused.value.problems] == ["accidents"]


def test_submit_complete_before_deadline(db, tmp_path):
    application = make_complete(ApplicationFactory(), tmp_path)

    submitted = services.submit_application(
        application=application, user=application.created_by, now=BEFORE_DEADLINE
    )

    assert (submitted.state, submitted.submitted_at) == (
        ApplicationState.SUBMITTED,
        BEFORE_DEADLINE,
    )


def test_submit_complete_after_deadline_refused(db, tmp_path):
    application = make_complete(ApplicationFactory(), tmp_path)

    with pytest.raises(ServiceError) as refused:
        services.submit_application(
            application=application, user=application.created_by, now=AFTER_DEADLINE
        )
    assert refused.value.code == "deadline"


def test_withdraw_then_reopen(db, tmp_path):
    application = make_complete(ApplicationFactory(), tmp_path)
    user = application.created_by
    application = services.submit_application(
        application=application, user=user, now=BEFORE_DEADLINE
    )

    withdrawn = services.withdraw_application(application=application, user=user)
    reopened = services.reopen_application(application=withdrawn, user=user, now=BEFORE_DEADLINE)

    assert (withdrawn.state, reopened.state) == (ApplicationState.WITHDRAWN, ApplicationState.DRAFT)


@pytest.mark.real_parse
def test_upload_stores_file_with_generated_name_and_hash(db, tmp_path):
    application = ApplicationFactory()

    document = upload(application, DocumentKind.MATERIALS_PDF, tmp_path, name="../../etc/材料.pdf")

    stored = filestore.path_for(document.stored_name)
    assert document.original_name == "材料.pdf"
    assert len(document.stored_name) == 32
    assert stored.read_bytes().startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(stored.read_bytes()).hexdigest()
    assert document.size == stored.stat().st_size
    assert list((filestore.root() / "tmp").iterdir()) == []


@pytest.mark.real_parse
def test_upload_replacement_keeps_the_old_file(db, tmp_path):
    application = ApplicationFactory()
    first = upload(application, DocumentKind.PRESENTATION, tmp_path, name="v1.pptx")
    second = upload(application, DocumentKind.PRESENTATION, tmp_path, name="v2.pptx")

    first.refresh_from_db()
    assert first.superseded_at is not None
    assert second.superseded_at is None
    assert filestore.path_for(first.stored_name).exists()
    assert list(
        Document.objects.filter(application=application, superseded_at__isnull=True).values_list(
            "original_name", flat=True
        )
    ) == ["v2.pptx"]


@pytest.mark.real_parse
def test_upload_rejected_leaves_no_row_and_no_file(db, tmp_path):
    application = ApplicationFactory()

    with pytest.raises(ServiceError) as refused:
        services.upload_document(
            application=application,
            user=application.created_by,
            kind=DocumentKind.MATERIALS_PDF,
            upload=SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>"),
            now=BEFORE_DEADLINE,
        )

    assert refused.value.code == "magic"
    assert Document.objects.count() == 0
    assert list(filestore.stored_files()) == []
    assert AuditEntry.objects.order_by("-seq").first().data["code"] == "magic"


def test_complete_fields_cover_every_required_field():
    from banzu.applications.rules import REQUIRED_FIELDS

    assert set(REQUIRED_FIELDS) <= set(complete_fields())


def test_check_files_reports_rows_without_files_and_files_without_rows(db, tmp_path, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from tests.applications.helpers import store_document

    application = ApplicationFactory()
    kept = store_document(application, DocumentKind.MATERIALS_PDF, tmp_path)
    lost = store_document(application, DocumentKind.PRESENTATION, tmp_path)
    filestore.path_for(lost.stored_name).unlink()
    stray = filestore.commit_temp(filestore.write_temp([b"stray"]))

    with pytest.raises(CommandError) as failure:
        call_command("check_files")

    out = capsys.readouterr().out
    assert f"row without file: document {lost.pk} ({lost.stored_name})" in out
    # Written this minute: its upload may still be saving the row, so it is not yet counted.
    assert f"file without row: {stray} (written just now, not counted)" in out
    assert kept.stored_name not in out
    assert str(failure.value) == (
        "The file store does not match the database: 1 row(s) without a file, "
        "0 hash mismatch(es), 0 file(s) without a row."
    )
