"""Shared set-up of the recommender-stage tests."""

from __future__ import annotations

from decimal import Decimal

import pytest

from banzu.applications import services as application_services
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from tests.applications.helpers import make_complete
from tests.factories import ApplicationFactory


@pytest.fixture
def submitted(open_edition, hangzhou, tmp_path):
    """A complete application submitted to 杭州 (files, form and declarations)."""
    application = make_complete(ApplicationFactory(recommender=hangzhou), tmp_path)
    return application_services.submit_application(
        application=application, user=application.created_by
    )


def score(application, scorer, total, *, submit=True):
    """A preliminary sheet of the given whole total, spread over the rubric within each maximum."""
    items, left = {}, Decimal(total)
    for item in application.edition.rubric_items.all():
        points = min(item.max_points, left)
        items[item.pk] = ItemInput(points=points)
        left -= points
    return save_sheet(
        application=application,
        scorer=scorer,
        stage=SheetStage.RECOMMENDER,
        items=items,
        expected_version=None,
        submit=submit,
    )
