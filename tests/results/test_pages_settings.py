"""The results settings page: the edition's results settings, its award mode and its award
tiers, validated under the award mode (quota mode needs quotas, threshold needs minimum totals,
each lower than the one above, shares add up to 100% at most), saved together and journalled.
The award mode and the tiers are the edition's: the edition page edits the same ones."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from banzu.audit.models import AuditEntry
from banzu.editions.models import AwardTier
from banzu.results.models import ResultsSettings
from tests.conftest import client_for
from tests.results.test_gather import _english as _english

URL = "/results/settings/"


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


def tiers(edition) -> list[tuple]:
    return [
        (tier.position, tier.name, tier.quota, tier.min_score, tier.share_percent)
        for tier in AwardTier.objects.filter(edition=edition).order_by("position")
    ]


def form_data(edition, rows: list[dict], **settings) -> dict[str, object]:
    """The page's POST: the settings (defaults, then `settings`) and the tier rows (existing
    tiers first, by pk; then new ones)."""
    existing = list(AwardTier.objects.filter(edition=edition).order_by("position"))
    data: dict[str, object] = {
        "tie_rule": "presentation_first",
        "award_mode": "quota",
        "non_presenter_tier": "优秀奖",
        "room_award": "最佳发布奖",
        "notice_ranked": "",
        "show_scores_in_publicity": "on",
        "show_comments_to_applicants": "",
        "publicity_working_days": "7",
        "tiers-TOTAL_FORMS": str(len(rows)),
        "tiers-INITIAL_FORMS": str(len(existing)),
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
    } | settings
    for index, row in enumerate(rows):
        if index < len(existing):
            data[f"tiers-{index}-id"] = str(existing[index].pk)
        for key in ("position", "name", "quota", "min_score", "share_percent", "DELETE"):
            if key in row:
                data[f"tiers-{index}-{key}"] = row[key]
    return data


def test_the_page_shows_the_settings_and_the_seeded_tiers(edition, admin):
    response = admin.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Award tiers" in page
    assert [form.instance.name for form in response.context["tiers"].forms[:3]] == [
        "一等奖",
        "二等奖",
        "三等奖",
    ]
    assert response.context["form"]["award_mode"].value() == "quota"


def test_saving_quotas_renames_reorders_adds_removes_and_journals(edition, admin, admin_user):
    data = form_data(
        edition,
        [
            {"position": "2", "name": "一等奖", "quota": "2"},
            {"position": "1", "name": "特等奖", "quota": "1"},  # 二等奖 renamed and moved up
            {"position": "3", "name": "三等奖", "quota": "5", "DELETE": "on"},
            {"position": "3", "name": "鼓励奖", "quota": "4"},
        ],
    )

    response = admin.post(URL, data)

    assert response.status_code == 302
    assert tiers(edition) == [
        (1, "特等奖", 1, None, None),
        (2, "一等奖", 2, None, None),
        (3, "鼓励奖", 4, None, None),
    ]
    found = ResultsSettings.objects.get(edition=edition)
    assert (
        found.non_presenter_tier,
        found.room_award,
        found.show_scores_in_publicity,
        found.notice_ranked,
        found.publicity_working_days,
    ) == ("优秀奖", "最佳发布奖", True, False, 7)
    entry = AuditEntry.objects.get(action="results.settings_updated")
    assert entry.actor_id == admin_user.pk
    assert [tier["name"] for tier in entry.data["tiers"]] == ["特等奖", "一等奖", "鼓励奖"]


def test_quota_mode_needs_every_tiers_quota(edition, admin):
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "quota": "1"},
            {"position": "2", "name": "二等奖", "quota": ""},
            {"position": "3", "name": "三等奖", "quota": "3"},
        ],
    )

    response = admin.post(URL, data)

    assert response.status_code == 200
    assert response.context["tiers"].forms[1].errors == {
        "quota": ["Enter the number of awards: tiers are assigned by rank quota."]
    }
    assert tiers(edition) == [
        (1, "一等奖", None, None, None),
        (2, "二等奖", None, None, None),
        (3, "三等奖", None, None, None),
    ]


def test_threshold_mode_needs_minimum_totals_each_lower_than_the_one_above(edition, admin):
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "min_score": "90"},
            {"position": "2", "name": "二等奖", "min_score": "90"},
            {"position": "3", "name": "三等奖", "min_score": ""},
        ],
        award_mode="threshold",
    )

    response = admin.post(URL, data)

    forms = response.context["tiers"].forms
    assert forms[1].errors == {
        "min_score": [
            "The minimum score must be lower than that of the tier before it (一等奖: 90)."
        ]
    }
    assert forms[2].errors == {
        "min_score": ["Enter the minimum total score: tiers are assigned by score threshold."]
    }
    edition.refresh_from_db()
    assert edition.award_mode == "quota"


def test_threshold_mode_saves_descending_minimums(edition, admin):
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "min_score": "90"},
            {"position": "2", "name": "二等奖", "min_score": "85.5"},
            {"position": "3", "name": "三等奖", "min_score": "80"},
        ],
        award_mode="threshold",
    )

    assert admin.post(URL, data).status_code == 302
    assert [row[3] for row in tiers(edition)] == [D("90.00"), D("85.50"), D("80.00")]
    edition.refresh_from_db()
    assert edition.award_mode == "threshold"
    entry = AuditEntry.objects.get(action="results.settings_updated")
    assert (entry.data["fields"], entry.data["award_mode"], entry.data["tier_changes"]) == (
        [
            "award_mode",
            "non_presenter_tier",
            "publicity_working_days",
            "room_award",
            "show_scores_in_publicity",
        ],
        "threshold",
        {"created": 0, "updated": 3, "deleted": 0},
    )


def test_share_mode_refuses_shares_above_100_percent_in_total(edition, admin):
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "share_percent": "20"},
            {"position": "2", "name": "二等奖", "share_percent": "30"},
            {"position": "3", "name": "三等奖", "share_percent": "50.5"},
        ],
        award_mode="share",
    )

    response = admin.post(URL, data)

    assert response.status_code == 200
    assert response.context["tiers"].non_form_errors() == [
        "The tiers' shares add up to 100.5%; they can add up to 100% at most."
    ]
    assert "they can add up to 100% at most." in response.content.decode().replace("&#x27;", "'")
    assert [row[4] for row in tiers(edition)] == [None, None, None]


def test_two_tiers_with_the_same_order_are_refused(edition, admin):
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "quota": "1"},
            {"position": "1", "name": "二等奖", "quota": "2"},
            {"position": "3", "name": "三等奖", "quota": "3"},
        ],
    )

    response = admin.post(URL, data)

    assert response.context["tiers"].non_form_errors() == [
        "Two award tiers have the same order: 1."
    ]
