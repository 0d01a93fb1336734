"""What the applicant sees once the application has left the draft: a returned application is
visibly returned with what to change (issue 17, item 3), and a submitted one says what happens
next, shows its stages with dates and the screening's note, and is receipted by mail (item 11)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from banzu.applications import services
from banzu.applications.stages import stages
from banzu.recommendations import services as recommendation_services
from banzu.screening.models import Decision
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_english")]

REASON = "请补充第4部分的QC课题成果"


@pytest.fixture
def complete(applicant_a, hangzhou, open_edition, tmp_path):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    application = ApplicationFactory(
        team=team, created_by=applicant_a, recommender=hangzhou, edition=open_edition
    )
    return make_complete(application, tmp_path)


@pytest.fixture
def submitted(complete, applicant_a):
    return services.submit_application(application=complete, user=applicant_a)


@pytest.fixture
def returned(submitted, recommender_hz):
    return services.transition(submitted, to="draft", actor=recommender_hz, reason=REASON)


@pytest.fixture
def recommended(submitted, recommender_hz):
    return recommendation_services.recommend_application(
        application=submitted, actor=recommender_hz
    )


# --- item 3: returned -----------------------------------------------------------------------


def test_returned_application_is_returned_on_the_applicants_home(returned, applicant_a):
    page = client_for(applicant_a).get(reverse("home")).content.decode()

    assert '<span class="badge state-draft state-returned">Returned</span>' in page
    assert f"Returned on {timezone.localdate():%Y-%m-%d}: {REASON}" in page


def test_returned_application_page_says_what_to_change(returned, applicant_a):
    page = client_for(applicant_a).get(reverse("applications:detail", args=[returned.pk]))

    text = page.content.decode()
    assert '<span class="badge state-draft state-returned">Returned</span>' in text
    assert f"What to change: {REASON}" in text
    assert f"The recommender's request: {REASON}" in text
    assert "What the returned application needs" in text
    assert "Nothing is missing." not in text
    assert "everything is in place" not in text
    assert reverse("applications:submit", args=[returned.pk]) in text


def test_returned_flag_until_submitted_again(returned, applicant_a):
    assert (returned.is_returned, returned.state) == (True, "draft")

    again = services.submit_application(application=returned, user=applicant_a)

    assert again.is_returned is False


def test_a_draft_never_submitted_is_not_returned(complete):
    assert complete.is_returned is False


# --- item 11: after submission --------------------------------------------------------------


def test_stages_after_recommendation(recommended):
    found = stages(recommended)

    assert [(s.key, s.status) for s in found] == [
        ("submitted", "done"),
        ("recommended", "done"),
        ("screened", "current"),
        ("review", "upcoming"),
        ("presentation", "upcoming"),
        ("results", "upcoming"),
    ]
    assert found[0].at is not None
    assert found[1].at is not None


def test_stages_stop_where_the_application_was_declined(submitted, recommender_hz):
    declined = services.transition(
        submitted, to="not_recommended", actor=recommender_hz, reason="名额已满"
    )

    assert [(s.key, s.status, s.note) for s in stages(declined)] == [
        ("submitted", "done", ""),
        ("recommended", "stopped", "名额已满"),
    ]


def test_detail_after_submission_says_what_happens_next(submitted, applicant_a):
    text = client_for(applicant_a).get(reverse("applications:detail", args=[submitted.pk]))

    page = text.content.decode()
    assert "<strong>What happens next:</strong> The recommender reviews and scores" in page
    assert "Where the application is" in page
    assert "Submitted to the recommender</strong>" in page


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz", "admin_user"])
def test_screening_note_is_shown_to_applicant_and_recommender(
    request, recommended, admin_user, persona
):
    Decision.objects.create(
        application=recommended,
        outcome=Decision.Outcome.PASSED,
        reason_text="请在发布时补充现场照片",
        decided_by=admin_user,
    )
    user = request.getfixturevalue(persona)

    text = client_for(user).get(reverse("applications:detail", args=[recommended.pk]))

    page = text.content.decode()
    assert "Notes from the provincial association" in page
    assert "Passed · 请在发布时补充现场照片" in page


def test_no_note_without_words(recommended, admin_user, applicant_a):
    Decision.objects.create(
        application=recommended, outcome=Decision.Outcome.PASSED, decided_by=admin_user
    )

    text = client_for(applicant_a).get(reverse("applications:detail", args=[recommended.pk]))

    assert "Notes from the provincial association" not in text.content.decode()


def test_submission_mails_a_receipt_to_the_enterprise(
    complete, applicant_a, django_capture_on_commit_callbacks, settings
):
    settings.LANGUAGE_CODE = "en"
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_application(application=complete, user=applicant_a)

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([applicant_a.email], "Application received: 钢筋班")
    ]
    assert "This mail is your receipt." in mail.outbox[0].body
    assert "杭州市建筑业协会" in mail.outbox[0].body
    assert f"/applications/{complete.pk}/" in mail.outbox[0].body
