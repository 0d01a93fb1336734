"""Migrations results 0002 and 0003: the results settings' tier mode moves to the edition
(Edition.award_mode), which the results were computed by, and the settings lose theirs."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from banzu.editions.models import Edition
from banzu.results.models import ResultsSettings

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("results", "0001_initial")]
AFTER = [("results", "0003_remove_resultssettings_tier_mode")]


def migrate(targets: list[tuple[str, str]]):
    """Migrate to `targets`; the apps as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def test_the_edition_takes_the_tier_mode_its_results_settings_had():
    old = migrate(BEFORE)
    editions = old.get_model("editions", "Edition")
    settings = old.get_model("results", "ResultsSettings")
    with_settings = editions.objects.get(year=2026)
    editions.objects.create(
        year=2025,
        title="2025年工程建设质量信得过班组活动",
        notice_number="浙工质协〔2025〕3号",
        registration_opens_at=with_settings.registration_opens_at,
        recommendation_deadline=with_settings.recommendation_deadline,
        award_mode="threshold",
    )
    settings.objects.create(edition=with_settings, tier_mode="share")

    migrate(AFTER)

    assert dict(Edition.objects.values_list("year", "award_mode")) == {
        2026: "share",  # the results settings' mode
        2025: "threshold",  # no results settings: its own
    }


def test_going_back_gives_the_settings_the_editions_mode():
    Edition.objects.filter(year=2026).update(award_mode="share")
    ResultsSettings.objects.create(edition=Edition.objects.get(year=2026))

    old = migrate(BEFORE)

    found = old.get_model("results", "ResultsSettings").objects.get()
    migrate(AFTER)
    assert found.tier_mode == "share"
