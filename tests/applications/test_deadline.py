"""Drafts stop changing at the edition's deadline (issue 16, item 10): a save or an upload after it
is refused with the deadline in the message, the page keeps what was typed, and nothing is
stored. The admin extends the window by moving the edition's deadline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from banzu.applications import services
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.core.errors import ServiceError
from tests.applications.helpers import sample_bytes
from tests.applications.test_views import _form_data
from tests.conftest import AFTER_DEADLINE, client_for
from tests.factories import ApplicationFactory, TeamFactory

pytestmark = pytest.mark.django_db

SAVE_REFUSED = (
    "The deadline (%s, Beijing time) has passed: the draft can no longer be changed and nothing "
    "was saved. What you typed is still in the form below: copy it if you need it."
)
UPLOAD_REFUSED = (
    "The deadline (%s, Beijing time) has passed: files can no longer be uploaded or replaced. "
    "This file was not stored."
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def draft(applicant_a, hangzhou, edition):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    return ApplicationFactory(team=team, created_by=applicant_a, recommender=hangzhou)


@pytest.fixture
def closed(edition):
    """The 2026 edition, its deadline a minute ago."""
    edition.recommendation_deadline = timezone.now() - dt.timedelta(minutes=1)
    edition.save()
    return edition


def _deadline(edition) -> str:
    return timezone.localtime(edition.recommendation_deadline).strftime("%Y-%m-%d %H:%M")


def test_a_draft_saved_after_the_deadline_is_refused_and_unchanged(draft, edition):
    with pytest.raises(ServiceError) as refused:
        services.save_draft(
            application=draft,
            user=draft.created_by,
            fields={"experience_title": "截止后的修改"},
            honours=None,
            expected_version=draft.version,
            now=AFTER_DEADLINE,
        )

    assert refused.value.code == "deadline"
    assert refused.value.message == SAVE_REFUSED % "2026-04-27 23:59"
    draft.refresh_from_db()
    assert (draft.experience_title, draft.version) == ("", 1)
    assert not AuditEntry.objects.filter(action="application.save_draft").exists()


def test_a_draft_saved_at_the_deadline_itself_is_saved(draft, edition):
    saved = services.save_draft(
        application=draft,
        user=draft.created_by,
        fields={"experience_title": "最后一刻的修改"},
        honours=None,
        expected_version=draft.version,
        now=edition.recommendation_deadline,
    )

    assert (saved.experience_title, saved.version) == ("最后一刻的修改", 2)


def test_an_upload_after_the_deadline_is_refused_and_nothing_is_stored(draft, tmp_path):
    name, content = sample_bytes(DocumentKind.MATERIALS_PDF, tmp_path)

    with pytest.raises(ServiceError) as refused:
        services.upload_document(
            application=draft,
            user=draft.created_by,
            kind=DocumentKind.MATERIALS_PDF,
            upload=SimpleUploadedFile(name, content),
            now=AFTER_DEADLINE,
        )

    assert refused.value.code == "deadline"
    assert refused.value.message == UPLOAD_REFUSED % "2026-04-27 23:59"
    assert Document.objects.count() == 0
    assert list(filestore.stored_files()) == []
    assert not AuditEntry.objects.filter(action__startswith="document.").exists()


def test_the_edit_page_after_the_deadline_keeps_everything_typed(draft, closed):
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]),
        _form_data(draft, experience_title="截止后才写完的经验"),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert SAVE_REFUSED % _deadline(closed) in text
    assert 'value="截止后才写完的经验"' in text
    assert "市级工人先锋号" in text  # the honour row typed with it
    draft.refresh_from_db()
    assert (draft.experience_title, draft.version, draft.honours.count()) == ("", 1, 0)


def test_the_files_page_after_the_deadline_refuses_the_file(draft, closed, tmp_path):
    _name, content = sample_bytes(DocumentKind.PRESENTATION, tmp_path)

    response = client_for(draft.created_by).post(
        reverse("applications:files", args=[draft.pk]),
        {"kind": "presentation", "file": SimpleUploadedFile("班组发布.pptx", content)},
    )

    assert response.status_code == 200
    assert UPLOAD_REFUSED % _deadline(closed) in response.content.decode()
    assert Document.objects.count() == 0
    assert list(filestore.stored_files()) == []


def test_the_admin_moving_the_deadline_opens_edits_again(draft, closed, tmp_path):
    client = client_for(draft.created_by)
    refused = client.post(
        reverse("applications:edit", args=[draft.pk]), _form_data(draft, experience_title="补交")
    )
    closed.recommendation_deadline = timezone.now() + dt.timedelta(days=1)
    closed.save()
    _name, content = sample_bytes(DocumentKind.PRESENTATION, tmp_path)

    saved = client.post(
        reverse("applications:edit", args=[draft.pk]), _form_data(draft, experience_title="补交")
    )
    uploaded = client.post(
        reverse("applications:files", args=[draft.pk]),
        {"kind": "presentation", "file": SimpleUploadedFile("班组发布.pptx", content)},
    )

    assert (refused.status_code, saved.status_code, uploaded.status_code) == (200, 302, 302)
    draft.refresh_from_db()
    assert (draft.experience_title, draft.version) == ("补交", 2)
    assert list(Document.objects.values_list("original_name", flat=True)) == ["班组发布.pptx"]
