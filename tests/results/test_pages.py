"""The admin's results pages (/results/): the preview with its tiers, figures and stability
marks, the refusal while a team has no presentation score, the seal (a reason from the second
version on), the versions, one version's rows and the difference between two; who may see them.

The world is test_gather's (its docstring has the figures), with 优秀奖 for the teams that did
not present and 最佳发布奖 for each room's best."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.editions.models import AwardTier
from banzu.presentations.enums import SheetState as PresentationSheetState
from banzu.presentations.models import PresentationSheet
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.results.test_gather import ResultsWorld, build_results
from tests.results.test_gather import _english as _english

PAGES = ("results:preview", "results:settings", "results:versions", "results:diff")


@pytest.fixture
def world(edition) -> ResultsWorld:
    found = build_results(edition)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.room_award = "最佳发布奖"
    settings.save()
    return found


@pytest.fixture
def admin(admin_user):
    return client_for(admin_user)


def text(response) -> str:
    """The page's text: tags out, entities decoded, whitespace collapsed."""
    found = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(found)).strip()


# --- Who may see them --------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_log_in_first(db, name):
    response = client_for(None).get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", ["applicant", "recommender", "expert", "secretary"])
def test_other_roles_find_no_results_pages_and_are_journalled(world, role):
    extra = {"recommender": world.teams["甲班组"].recommender} if role == "recommender" else {}
    user = UserFactory(username=f"someone_{role}", role=role, **extra)
    client = client_for(user)

    statuses = [client.get(reverse(name)).status_code for name in PAGES]
    statuses.append(client.get(reverse("results:version", args=[1])).status_code)
    statuses.append(client.post(reverse("results:seal")).status_code)

    assert statuses == [404] * 6
    assert AuditEntry.objects.filter(action="access.denied", actor_id=user.pk).count() == 6
    assert not ResultsVersion.objects.exists()


# --- Preview -----------------------------------------------------------------------------------


def test_preview_lists_the_teams_by_tier_with_their_figures(world, admin):
    response = admin.get(reverse("results:preview"))

    assert response.status_code == 200
    page = text(response)
    assert "4 teams ranked · 一等奖: 1 · 二等奖: 1 · 三等奖: 1 · 优秀奖: 2" in page
    table = response.context["table"]
    assert [
        (
            group.tier,
            [(r.rank, r.team, r.materials_share, r.presentation, r.total) for r in group.rows],
        )
        for group in table.groups
    ] == [
        ("一等奖", [(1, "甲班组", "70.40", "17.50", "87.90")]),
        ("二等奖", [(2, "乙班组", "68.53", "18.83", "87.37")]),
        ("三等奖", [(3, "丁班组", "64.93", "17.17", "82.10")]),
        (None, [(4, "丙班组", "65.60", "16.50", "82.10")]),
    ]
    assert "Ranked without an award" in page
    assert table.room_awards == [("第一分会场", ["甲班组"]), ("第二分会场", ["乙班组"])]
    assert "第一分会场: 甲班组" in page
    assert "第二分会场: 乙班组" in page
    # The enterprise and the recommender of each team.
    first = table.groups[0].rows[0]
    assert (first.enterprise, first.recommender) == (
        world.teams["甲班组"].team.enterprise.name,
        world.teams["甲班组"].recommender.name,
    )
    assert first.enterprise in page


def test_preview_says_which_single_sheet_would_change_a_teams_tier(world, admin):
    response = admin.get(reverse("results:preview"))

    page = text(response)
    # Without 甲's 90 (评审专家1's) its total is 87.10, below 乙's 87.37.
    assert "甲班组" in page
    rows = {
        row.team: row.changes for group in response.context["table"].groups for row in group.rows
    }
    assert rows["甲班组"] == ["Leaving out 评审专家1's materials sheet moves it to 二等奖."]
    assert rows["乙班组"] == ["Leaving out 评审专家1's materials sheet moves it to 一等奖."]
    assert rows["丁班组"] == [
        "Leaving out 评审专家1's materials sheet moves it out of the award tiers.",
        "Leaving out 评委a1's presentation sheet moves it out of the award tiers.",
        "Leaving out 评审专家3's materials sheet moves it out of the award tiers.",
        "Leaving out 评委b3's presentation sheet moves it out of the award tiers.",
    ]
    assert "⚖ Leaving out 评审专家1's materials sheet moves it to 二等奖." in page


def test_preview_lists_the_teams_apart_with_their_reasons(world, admin):
    response = admin.get(reverse("results:preview"))

    assert [
        (row.team, row.reason, row.detail, row.tier, row.materials_score)
        for row in response.context["table"].apart
    ] == [
        ("戊班组", "Did not present", "班组长因工伤住院，未能到场", "优秀奖", "79.00"),
        ("己班组", "Did not present", "rank 6, not among the best 5", "优秀奖", "71.00"),
        ("庚班组", "Eliminated in screening", "Incomplete：缺少盖章的申报表扫描件", None, None),
        ("辛班组", "Disqualified", "材料与2024年度某班组材料雷同，复制比62%", None, None),
    ]
    enterprise = world.teams["辛班组"].team.enterprise.name
    assert (
        f"辛班组 杭-2026-008 {enterprise} Disqualified 材料与2024年度某班组材料雷同，复制比62% —"
        in (text(response))
    )


def test_preview_refuses_while_a_presenting_team_has_no_presentation_score(world, admin):
    PresentationSheet.objects.filter(slot=world.slots["丙班组"]).update(
        state=PresentationSheetState.DRAFT
    )

    response = admin.get(reverse("results:preview"))

    page = text(response)
    assert response.status_code == 200
    assert (
        "The results cannot be computed yet. "
        "Every presenting team needs a presentation score: 丙班组." in page
    )
    assert "table" not in response.context
    assert "Confirm and seal" not in page


# --- Seal --------------------------------------------------------------------------------------


def test_confirm_and_seal_stores_version_1_and_journals_it(world, admin, admin_user):
    response = admin.post(reverse("results:seal"), {"reason": ""})

    version = ResultsVersion.objects.get(edition=world.edition)
    assert response.status_code == 302
    assert response["Location"] == reverse("results:version", args=[1])
    assert (version.number, version.sealed_by, version.reason) == (1, admin_user, "")
    entry = AuditEntry.objects.get(action="results.sealed")
    assert (entry.actor_id, entry.data["number"], entry.data["sha256"]) == (
        admin_user.pk,
        1,
        version.sha256,
    )
    page = text(admin.get(response["Location"]))
    assert "Results version 1 · 2026" in page
    assert version.sha256 in page
    assert "1 甲班组" in page


def test_a_second_version_needs_a_reason(world, admin, admin_user):
    seal(world.edition, by=admin_user)

    refused = admin.post(reverse("results:seal"), {"reason": "  "}, follow=True)
    sealed = admin.post(reverse("results:seal"), {"reason": "复核：未发现变动"})

    assert "Give the reason for a new version of the results." in text(refused)
    assert sealed["Location"] == reverse("results:version", args=[2])
    assert list(ResultsVersion.objects.order_by("number").values_list("number", "reason")) == [
        (1, ""),
        (2, "复核：未发现变动"),
    ]


def test_the_seal_is_refused_while_blocked(world, admin):
    PresentationSheet.objects.filter(slot=world.slots["丙班组"]).update(
        state=PresentationSheetState.DRAFT
    )

    response = admin.post(reverse("results:seal"), {"reason": ""}, follow=True)

    assert "Every presenting team needs a presentation score: 丙班组." in text(response)
    assert not ResultsVersion.objects.exists()


# --- Versions and their difference -------------------------------------------------------------


def test_the_versions_list_number_when_who_reason_and_hash(world, admin, admin_user):
    admin_user.full_name = "省协会管理员"
    admin_user.save()
    first = seal(world.edition, by=admin_user)
    second = seal(world.edition, by=admin_user, reason="异议 YY-2026-001 成立")

    page = text(admin.get(reverse("results:versions")))
    first_at, second_at = (
        localtime(v.sealed_at).strftime("%Y-%m-%d %H:%M") for v in (first, second)
    )

    assert f"2 {second_at} 省协会管理员 异议 YY-2026-001 成立 {second.sha256}" in page
    assert f"1 {first_at} 省协会管理员 — {first.sha256}" in page
    assert "Compare two versions" in page


def test_the_difference_names_who_left_moved_and_changed_tier(world, admin, admin_user):
    seal(world.edition, by=admin_user)
    application_services.transition(
        world.teams["乙班组"],
        to=ApplicationState.DISQUALIFIED,
        actor=admin_user,
        reason="异议成立：发布内容与申报材料不一致",
    )
    seal(world.edition, by=admin_user, reason="异议 YY-2026-001 成立，乙班组取消资格")

    page = text(admin.get(reverse("results:diff"), {"a": 1, "b": 2}))

    assert "From version 1 to version 2" in page
    assert "Changed tier 丁班组: 三等奖 → 二等奖 丙班组: no award → 三等奖" in page
    assert "Moved rank 丁班组: 3 → 2 丙班组: 4 → 3" in page
    assert "Left the ranked list 乙班组 (was 2): Disqualified" in page
    assert "Entered the ranked list" not in page


def test_the_same_version_twice_has_no_difference(world, admin, admin_user):
    seal(world.edition, by=admin_user)

    page = text(admin.get(reverse("results:diff"), {"a": 1, "b": 1}))

    assert "No team moved, changed tier, left or entered the list." in page


def test_a_version_whose_payload_lacks_its_parts_shows_and_compares(world, admin, admin_user):
    ResultsVersion.objects.create(
        edition=world.edition,
        number=1,
        state=VersionState.SEALED,
        payload={"format": 1},
        sha256="0" * 64,
        created_by=admin_user,
    )
    seal(world.edition, by=admin_user, reason="重新计算")

    shown = admin.get(reverse("results:version", args=[1]))
    compared = text(admin.get(reverse("results:diff"), {"a": 1, "b": 2}))

    assert shown.status_code == 200
    assert (shown.context["table"].ranked, shown.context["table"].apart) == (0, [])
    assert "From version 1 to version 2" in compared
    entered = "甲班组: rank 1 乙班组: rank 2 丁班组: rank 3 丙班组: rank 4"
    assert f"Entered the ranked list {entered}" in compared


def test_a_missing_version_is_404_and_journalled(world, admin, admin_user):
    seal(world.edition, by=admin_user)

    responses = [
        admin.get(reverse("results:version", args=[2])).status_code,
        admin.get(reverse("results:diff"), {"a": 1, "b": 7}).status_code,
    ]

    assert responses == [404, 404]
    assert AuditEntry.objects.filter(action="access.denied", actor_id=admin_user.pk).count() == 2


def test_preview_refuses_while_a_tier_has_no_quota(world, admin):
    AwardTier.objects.filter(edition=world.edition, position=2).update(quota=None)

    page = text(admin.get(reverse("results:preview")))

    assert (
        "The results cannot be computed yet. "
        "Set the number of awards of every award tier first: 二等奖." in page
    )


def test_the_admins_navigation_links_to_the_results(world, admin):
    response = admin.get(reverse("results:versions"))

    assert '<a href="/results/">Results</a>' in response.content.decode()
