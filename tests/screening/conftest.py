"""The screening tests read the English interface: pages and partials render in English."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def submit_batch(application, staff) -> None:
    """The recommender's batch of `application` submitted: its screening may start."""
    from banzu.recommendations.enums import BatchState
    from banzu.recommendations.services import batch_for, transition_batch

    batch = batch_for(application.edition, application.recommender)
    transition_batch(batch, to=BatchState.SUBMITTED, actor=staff)


def all_checks_pass(application) -> None:
    """Every automatic check of `application` passed."""
    from banzu.screening.enums import CheckCode, CheckStatus
    from banzu.screening.models import CheckResult

    for code in CheckCode.values:
        CheckResult.objects.update_or_create(
            application=application, code=code, defaults={"status": CheckStatus.PASS}
        )
