"""Issue 17, item 9: the expert's score sheet is submitted (and locked) only when the expert ticks
the confirmation that says what follows; a draft is saved without it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from tests.conftest import client_for
from tests.review.conftest import assign, make_expert, reviewed_application

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def assigned(edition, applicant_a):
    application = reviewed_application(
        team__enterprise=applicant_a.enterprise, created_by=applicant_a, edition=edition
    )
    expert = make_expert("expert_confirm")
    assign(application, expert)
    return application, expert


def _post(application, action, **extra):
    data = {"version": "1", "action": action, "overall_comment": "材料完整。", **extra}
    for item in application.edition.rubric_items.all():
        data[f"points_{item.pk}"] = "10"
        data[f"comment_{item.pk}"] = f"第{item.position}项评语"
    return data


def test_expert_submit_without_confirmation_is_refused_and_nothing_is_stored(assigned):
    application, expert = assigned

    response = client_for(expert).post(
        reverse("review:sheet", args=[application.pk]), _post(application, "submit"), **EN
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "confirmed": ["Tick the box to confirm this step; nothing was changed."]
    }
    assert 'data-confirm="sheet"' in response.content.decode()
    assert not ScoreSheet.objects.filter(scorer=expert).exists()


def test_expert_submit_with_confirmation_locks_the_sheet(assigned):
    application, expert = assigned

    client_for(expert).post(
        reverse("review:sheet", args=[application.pk]),
        _post(application, "submit", confirmed="yes"),
    )

    sheet = ScoreSheet.objects.get(scorer=expert, stage=SheetStage.MATERIALS)
    assert sheet.state == SheetState.SUBMITTED


def test_expert_draft_is_saved_without_confirmation(assigned):
    application, expert = assigned

    client_for(expert).post(
        reverse("review:sheet", args=[application.pk]), _post(application, "save")
    )

    assert ScoreSheet.objects.get(scorer=expert).state == SheetState.DRAFT
