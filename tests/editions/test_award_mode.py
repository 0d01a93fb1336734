"""How the award tiers are assigned is one setting, the edition's (Edition.award_mode: by rank
quota, by score threshold or by share of the ranked teams), with the edition's tiers. The edition
page and the results settings page edit the same mode and tiers under the same rules."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from banzu.editions import services
from banzu.editions.forms import EditionCreateForm
from banzu.editions.models import AwardTier, Edition
from banzu.results.versions import preview
from tests.manage import english_client
from tests.manage.test_editions import _edition_fields, config_data
from tests.results.test_pages_settings import form_data

pytestmark = pytest.mark.django_db

RESULTS_SETTINGS = "/results/settings/"


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def edit_url(edition: Edition) -> str:
    return reverse("manage:edition_edit", args=[edition.pk])


def with_shares(edition: Edition, shares: tuple[str, ...]) -> dict[str, str]:
    """The edition page's form sent back with the award mode "share" and these shares."""
    data = config_data(edition, quotas=()) | {"award_mode": "share"}
    for index, share in enumerate(shares):
        data[f"tiers-{index}-share_percent"] = share
    return data


def shares(edition: Edition) -> list[D | None]:
    return list(
        AwardTier.objects.filter(edition=edition)
        .order_by("position")
        .values_list("share_percent", flat=True)
    )


def test_the_edition_page_offers_the_share_mode_and_each_tiers_share(admin_user, edition):
    response = english_client(admin_user).get(edit_url(edition))

    html = response.content.decode()
    assert '<option value="share">By share of the ranked teams (%)</option>' in html
    assert 'name="tiers-0-share_percent" step="0.01" min="0" max="100"' in html
    assert f'href="/results/settings/?edition={edition.year}"' in html


def test_the_edition_page_in_share_mode_needs_every_tiers_share(admin_user, edition):
    response = english_client(admin_user).post(edit_url(edition), with_shares(edition, ("20", "")))

    forms = response.context["tiers"].forms
    assert forms[1].errors == {
        "share_percent": ["Enter the share of the ranked teams: tiers are assigned by share."]
    }
    assert forms[2].errors == {
        "share_percent": ["Enter the share of the ranked teams: tiers are assigned by share."]
    }
    edition.refresh_from_db()
    assert (edition.award_mode, shares(edition)) == ("quota", [None, None, None])


def test_the_edition_page_refuses_shares_above_100_percent(admin_user, edition):
    response = english_client(admin_user).post(
        edit_url(edition), with_shares(edition, ("30", "30", "40.5"))
    )

    assert response.context["tiers"].non_form_errors() == [
        "The tiers' shares add up to 100.5%; they can add up to 100% at most."
    ]
    edition.refresh_from_db()
    assert (edition.award_mode, shares(edition)) == ("quota", [None, None, None])


def test_shares_saved_on_the_edition_page_are_the_results_settings_and_the_results(
    admin_user, edition
):
    client = english_client(admin_user)

    saved = client.post(edit_url(edition), with_shares(edition, ("20", "30", "50")))
    results_page = client.get(RESULTS_SETTINGS)

    assert saved.status_code == 302
    edition.refresh_from_db()
    assert (edition.award_mode, shares(edition)) == ("share", [D("20"), D("30"), D("50")])
    assert results_page.context["form"]["award_mode"].value() == "share"
    assert [form["share_percent"].value() for form in results_page.context["tiers"].forms[:3]] == [
        D("20.00"),
        D("30.00"),
        D("50.00"),
    ]


def test_the_results_settings_set_the_editions_mode_and_the_edition_page_shows_it(
    admin_user, edition
):
    client = english_client(admin_user)
    data = form_data(
        edition,
        [
            {"position": "1", "name": "一等奖", "share_percent": "22"},
            {"position": "2", "name": "二等奖", "share_percent": "34"},
            {"position": "3", "name": "三等奖", "share_percent": "44"},
        ],
        award_mode="share",
    )

    assert client.post(RESULTS_SETTINGS, data).status_code == 302
    edition_page = client.get(edit_url(edition))
    # Sent back unchanged, the edition page keeps the mode and the shares.
    edition.refresh_from_db()
    resaved = client.post(edit_url(edition), with_shares(edition, ("22", "34", "44")))

    assert edition_page.context["form"]["award_mode"].value() == "share"
    assert [form["share_percent"].value() for form in edition_page.context["tiers"].forms[:3]] == [
        D("22.00"),
        D("34.00"),
        D("44.00"),
    ]
    assert resaved.status_code == 302
    edition.refresh_from_db()
    assert (edition.award_mode, shares(edition)) == ("share", [D("22"), D("34"), D("44")])


def test_the_results_are_computed_by_the_editions_award_mode(edition):
    edition.award_mode = "threshold"
    edition.save()
    for position, score in ((1, "90"), (2, "85"), (3, "80")):
        AwardTier.objects.filter(edition=edition, position=position).update(min_score=D(score))

    found = preview(edition)

    assert found.payload["rules"]["tier_mode"] == "threshold"
    assert [tier["min_score"] for tier in found.payload["tiers"]] == ["90.00", "85.00", "80.00"]


def test_set_award_tiers_refuses_what_the_pages_refuse_and_changes_nothing(edition):
    rows = [
        services.TierRow(pk=tier.pk, position=tier.position, name=tier.name, share_percent=D(60))
        for tier in AwardTier.objects.filter(edition=edition).order_by("position")
    ]

    with pytest.raises(ValidationError) as refused:
        services.set_award_tiers(edition=edition, award_mode="share", tiers=rows)

    assert refused.value.messages == [
        "The tiers' shares add up to 180%; they can add up to 100% at most."
    ]
    edition.refresh_from_db()
    assert (edition.award_mode, shares(edition)) == ("quota", [None, None, None])


def test_set_award_tiers_sets_the_mode_and_the_tiers(edition):
    first, second, third = AwardTier.objects.filter(edition=edition).order_by("position")
    rows = [
        services.TierRow(pk=first.pk, position=1, name="一等奖", share_percent=D("19")),
        services.TierRow(pk=second.pk, position=2, name="二等奖", share_percent=D("51")),
        services.TierRow(position=3, name="优胜奖", share_percent=D("27")),
    ]

    changes = services.set_award_tiers(edition=edition, award_mode="share", tiers=rows)

    assert changes == {"created": 1, "updated": 2, "deleted": 1}
    edition.refresh_from_db()
    assert edition.award_mode == "share"
    assert [
        (tier.name, tier.share_percent)
        for tier in AwardTier.objects.filter(edition=edition).order_by("position")
    ] == [("一等奖", D("19")), ("二等奖", D("51")), ("优胜奖", D("27"))]
    assert not AwardTier.objects.filter(pk=third.pk).exists()


def test_a_copied_edition_keeps_the_tiers_shares(admin_user, edition):
    AwardTier.objects.filter(edition=edition, position=1).update(share_percent=D("22"))
    AwardTier.objects.filter(edition=edition, position=2).update(share_percent=D("34"))
    AwardTier.objects.filter(edition=edition, position=3).update(share_percent=D("44"))

    copy = services.create_edition(
        by=admin_user,
        fields={**_edition_fields(2027), "award_mode": "share", "is_active": False},
        copy_from=edition,
    )

    assert copy.award_mode == "share"
    assert shares(copy) == [D("22"), D("34"), D("44")]


def test_the_create_form_starts_from_the_current_editions_award_mode(edition):
    edition.award_mode = "share"
    edition.save()

    form = EditionCreateForm()

    assert (form["award_mode"].value(), form["copy_from"].value()) == ("share", edition.pk)
