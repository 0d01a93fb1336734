"""The service, not only the view, keeps preliminary scoring inside its window."""

from __future__ import annotations

from decimal import Decimal

import pytest

from banzu.recommendations import services
from banzu.recommendations.enums import BatchState
from banzu.scoring.services import ItemInput, ScoringError

pytestmark = pytest.mark.django_db


def _items(application):
    return {
        item.pk: ItemInput(points=Decimal(10)) for item in application.edition.rubric_items.all()
    }


def test_preliminary_sheet_saved_by_own_staff(submitted, recommender_hz):
    sheet = services.save_preliminary_sheet(
        application=submitted, scorer=recommender_hz, items=_items(submitted), expected_version=None
    )
    assert (sheet.stage, sheet.total) == ("recommender", Decimal("50.0"))


def test_preliminary_sheet_refused_for_other_city(submitted, recommender_nb):
    with pytest.raises(ScoringError) as refused:
        services.save_preliminary_sheet(
            application=submitted,
            scorer=recommender_nb,
            items=_items(submitted),
            expected_version=None,
        )
    assert refused.value.code == "forbidden"


def test_preliminary_sheet_refused_after_batch_submitted(
    submitted, recommender_hz, open_edition, hangzhou
):
    services.transition_batch(
        services.batch_for(open_edition, hangzhou), to=BatchState.SUBMITTED, actor=recommender_hz
    )
    with pytest.raises(ScoringError) as refused:
        services.save_preliminary_sheet(
            application=submitted,
            scorer=recommender_hz,
            items=_items(submitted),
            expected_version=None,
        )
    assert refused.value.code == "closed"


def test_returned_application_shows_the_reason_on_the_applicant_dashboard(
    submitted, recommender_hz
):
    from tests.conftest import client_for

    services.return_application(application=submitted, actor=recommender_hz, reason="请补充盖章页")

    page = client_for(submitted.created_by).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # How the applicant's home words a return is banzu.applications'; the reason reaches it.
    assert "请补充盖章页" in page
