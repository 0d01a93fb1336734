"""Computing, sealing, comparing and verifying results versions (banzu.results.versions) on the
world of test_gather (its docstring has the figures)."""

from __future__ import annotations

import hashlib
import json
from decimal import ROUND_HALF_UP, localcontext
from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.editions.enums import AwardMode
from banzu.editions.models import AwardTier
from banzu.presentations.enums import SheetState as PresentationSheetState
from banzu.presentations.enums import SlotState
from banzu.presentations.models import PresentationSheet, Slot
from banzu.results.enums import TieRule, VersionState
from banzu.results.models import ResultsVersion
from banzu.results.versions import Diff, Move, diff, preview, seal, settings_for, verify
from banzu.scoring.models import ScoreSheet
from tests.results.test_gather import (  # noqa: F401
    MATERIALS,
    ResultsWorld,
    _english,
    application,
    build_results,
    materials_sheet,
    presentation_sheet,
)
from tests.review.conftest import assign


@pytest.fixture
def world(edition) -> ResultsWorld:
    found = build_results(edition)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.room_award = "最佳发布奖"
    settings.save()
    return found


def names(world: ResultsWorld) -> dict[int, str]:
    return {application.pk: name for name, application in world.teams.items()}


def figures(world, rows) -> list[tuple]:
    team = names(world)
    return [
        (
            team[row.application_id],
            row.rank,
            row.tier,
            str(row.total.materials_score),
            str(row.total.materials_share),
            str(row.total.presentation),
            str(row.total.total),
            row.room_award,
        )
        for row in rows
    ]


def sheet_pk(world, kind: str, team: str, total: str) -> int:
    if kind == "materials":
        return ScoreSheet.objects.get(application=world.teams[team], total=D(total)).pk
    return PresentationSheet.objects.get(slot=world.slots[team], total=D(total)).pk


# --- Preview -----------------------------------------------------------------------------------


def test_preview_totals_ranks_tiers_and_room_awards_are_exact(world):
    found = preview(world.edition)

    assert figures(world, found.rows) == [
        ("甲班组", 1, "一等奖", "88.00", "70.40", "17.50", "87.90", True),
        # 68.53 + 18.83 would be 87.36: the total is rounded once, from the exact parts.
        ("乙班组", 2, "二等奖", "85.67", "68.53", "18.83", "87.37", True),
        # 丁 and 丙 tie on 82.10; 丁's higher presentation score ranks it first.
        ("丁班组", 3, "三等奖", "81.17", "64.93", "17.17", "82.10", False),
        ("丙班组", 4, None, "82.00", "65.60", "16.50", "82.10", False),
    ]
    team = names(world)
    assert [
        (team[row.application_id], row.reason, row.tier, row.materials_score) for row in found.apart
    ] == [
        ("戊班组", "not_presented", "优秀奖", D("79.00")),
        ("己班组", "not_presented", "优秀奖", D("71.00")),
        ("庚班组", "eliminated", None, None),
        ("辛班组", "disqualified", None, None),
    ]
    assert found.counts() == {"一等奖": 1, "二等奖": 1, "三等奖": 1, "优秀奖": 2}


def test_preview_marks_the_teams_whose_tier_one_sheet_would_change(world):
    found = preview(world.edition)

    changes = {names(world)[row.application_id]: row.changes for row in found.rows}
    # Without 甲's 90 its materials mean is 87 and its total 87.10, below 乙's 87.37.
    assert changes["甲班组"] == (
        ("materials", sheet_pk(world, "materials", "甲班组", "90"), "二等奖"),
    )
    assert changes["乙班组"] == (
        ("materials", sheet_pk(world, "materials", "甲班组", "90"), "一等奖"),
    )
    # Without 丙's 80 (mean 83: 82.90) or its 16 (16.75: 82.35) 丙 passes 丁; without 丁's 81.5
    # (81.97) or its 17.5 (81.93) 丁 falls below 丙.
    assert changes["丙班组"] == (
        ("materials", sheet_pk(world, "materials", "丙班组", "80"), "三等奖"),
        ("presentation", sheet_pk(world, "presentation", "丙班组", "16"), "三等奖"),
        ("materials", sheet_pk(world, "materials", "丁班组", "81.5"), "三等奖"),
        ("presentation", sheet_pk(world, "presentation", "丁班组", "17.5"), "三等奖"),
    )
    assert [row.stable for row in found.rows] == [False, False, False, False]


@pytest.mark.parametrize(
    ("tie_rule", "expected"),
    [
        (TieRule.MATERIALS_FIRST, [("丙班组", 3, "三等奖"), ("丁班组", 4, None)]),
        # Sharing rank 3, both take the third tier: a tie is never split.
        (TieRule.EQUAL, [("丙班组", 3, "三等奖"), ("丁班组", 3, "三等奖")]),
    ],
)
def test_preview_follows_the_editions_tie_rule(world, tie_rule, expected):
    settings = settings_for(world.edition)
    settings.tie_rule = tie_rule
    settings.save()

    found = preview(world.edition)

    rows = figures(world, found.rows)[2:]
    assert [(name, rank, tier) for name, rank, tier, *_ in rows] == expected


def test_preview_assigns_tiers_by_threshold_and_by_share(world):
    edition = world.edition
    edition.award_mode = AwardMode.THRESHOLD
    edition.save()
    for position, score in ((1, "87.50"), (2, "85"), (3, "82.10")):
        AwardTier.objects.filter(edition=world.edition, position=position).update(
            min_score=D(score)
        )

    by_threshold = [row[2] for row in figures(world, preview(world.edition).rows)]

    edition.award_mode = AwardMode.SHARE
    edition.save()
    for position, share in ((1, "25"), (2, "25"), (3, "50")):
        AwardTier.objects.filter(edition=world.edition, position=position).update(
            share_percent=D(share)
        )

    by_share = preview(world.edition)

    assert by_threshold == ["一等奖", "二等奖", "三等奖", "三等奖"]
    assert [row[2] for row in figures(world, by_share.rows)] == by_threshold
    # The version records the edition's award mode as the rule it was computed by.
    assert by_share.payload["rules"]["tier_mode"] == "share"


def test_preview_is_refused_while_a_presenting_team_has_no_presentation_score(world):
    PresentationSheet.objects.filter(
        slot__in=[world.slots["丙班组"], world.slots["丁班组"]]
    ).update(state=PresentationSheetState.RETURNED)

    with pytest.raises(ServiceError) as refused:
        preview(world.edition)

    assert refused.value.code == "incomplete"
    assert str(refused.value) == "Every presenting team needs a presentation score: 丙班组、丁班组."
    assert ResultsVersion.objects.count() == 0


def test_preview_is_refused_while_a_tier_has_no_quota(world):
    AwardTier.objects.filter(edition=world.edition, position=2).update(quota=None)

    with pytest.raises(ServiceError) as refused:
        preview(world.edition)

    assert str(refused.value) == "Set the number of awards of every award tier first: 二等奖."


# --- Seal --------------------------------------------------------------------------------------


def test_seal_stores_the_sheets_rules_and_rows_with_their_hash_and_journals_it(world, admin_user):
    version = seal(world.edition, by=admin_user)

    version.refresh_from_db()
    payload = version.payload
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert version.sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert (version.number, version.state, version.sealed_by, version.previous) == (
        1,
        VersionState.SEALED,
        admin_user,
        None,
    )
    # Four presenting teams and two that did not present, three sheets each.
    assert (len(payload["sheets"]["materials"]), len(payload["sheets"]["presentation"])) == (18, 12)
    first = payload["sheets"]["materials"][0]
    assert first == {
        "id": sheet_pk(world, "materials", "甲班组", "90"),
        "application": world.pk("甲班组"),
        "scorer": world.reviewers[0].pk,
        "total": "90.0",
        "items": [
            [item.pk, points]
            for item, points in zip(
                world.edition.rubric_items.order_by("position"),
                ["15.0", "25.0", "20.0", "15.0", "15.0"],
                strict=True,
            )
        ],
        "version": 1,
    }
    assert payload["rules"] == {
        "materials_weight": 80,
        "presentation_weight": 20,
        "aggregation_rule": "trimmed_mean",
        "trim_min": 5,
        "tie_rule": "presentation_first",
        "tier_mode": "quota",
        "stability_near": 2,
    }
    assert payload["settings"]["non_presenter_tier"] == "优秀奖"
    assert payload["rows"][1] == {
        "application": world.pk("乙班组"),
        "rank": 2,
        "tier": "二等奖",
        "room": world.rooms[1].pk,
        "room_award": True,
        "materials_score": "85.67",
        "materials_share": "68.53",
        "presentation": "18.83",
        "total": "87.37",
        "materials_dropped": [],
        "presentation_dropped": [],
        "stability": [["materials", sheet_pk(world, "materials", "甲班组", "90"), "一等奖"]],
    }
    entry = AuditEntry.objects.get(action="results.sealed")
    assert (entry.actor_id, entry.target_id) == (admin_user.pk, version.pk)
    assert entry.data == {
        "edition": 2026,
        "number": 1,
        "sha256": version.sha256,
        "reason": "",
        "previous": None,
    }


def test_seal_gives_the_same_hash_for_the_same_inputs(world, admin_user):
    first = seal(world.edition, by=admin_user)
    again = preview(world.edition)

    second = seal(world.edition, by=admin_user, reason="复核：未发现变动")

    assert again.sha256 == first.sha256
    assert (second.number, second.previous, second.sha256) == (2, first, first.sha256)


def test_seal_a_second_version_needs_a_reason(world, admin_user):
    seal(world.edition, by=admin_user)

    with pytest.raises(ServiceError) as refused:
        seal(world.edition, by=admin_user, reason="  ")

    assert refused.value.code == "reason"
    assert ResultsVersion.objects.filter(edition=world.edition).count() == 1


def test_diff_after_a_disqualification_names_who_left_who_moved_and_who_changed_tier(
    world, admin_user
):
    first = seal(world.edition, by=admin_user)
    application_services.transition(
        world.teams["乙班组"],
        to=ApplicationState.DISQUALIFIED,
        actor=admin_user,
        reason="异议成立：发布内容与申报材料不一致",
    )
    second = seal(world.edition, by=admin_user, reason="异议 YY-2026-001 成立，乙班组取消资格")

    found = diff(first, second)

    pk = world.pk
    assert found.left == [Move(pk("乙班组"), "乙班组", 2, "disqualified")]
    assert found.moved == [Move(pk("丁班组"), "丁班组", 3, 2), Move(pk("丙班组"), "丙班组", 4, 3)]
    assert found.retiered == [
        Move(pk("丁班组"), "丁班组", "三等奖", "二等奖"),
        Move(pk("丙班组"), "丙班组", None, "三等奖"),
    ]
    assert found.entered == []
    assert second.sha256 != first.sha256
    assert verify(first) is None  # the earlier version still reproduces from its own sheets
    assert verify(second) is None


def hand_made(version: ResultsVersion, number: int, payload: dict) -> ResultsVersion:
    """A version of the same edition whose payload is only `payload` (an older format, or one
    made by hand), stored as it is."""
    return ResultsVersion.objects.create(
        edition=version.edition,
        number=number,
        state=VersionState.SEALED,
        payload=payload,
        sha256="0" * 64,
        created_by=version.created_by,
        reason="旧版本",
    )


def test_diff_with_a_version_that_has_no_rows_apart_or_applications(world, admin_user):
    sealed = seal(world.edition, by=admin_user)
    empty = hand_made(sealed, 2, {"format": 1})

    entered = diff(empty, sealed)
    left = diff(sealed, empty)

    pk = world.pk
    ranked = [("甲班组", 1), ("乙班组", 2), ("丁班组", 3), ("丙班组", 4)]
    assert entered == Diff(
        moved=[],
        retiered=[],
        left=[],
        entered=[Move(pk(name), name, None, rank) for name, rank in ranked],
    )
    # Without the applications of the later version the names come from the earlier one; no
    # team is listed apart in a payload without "apart".
    assert left == Diff(
        moved=[],
        retiered=[],
        left=[Move(pk(name), name, rank, None) for name, rank in ranked],
        entered=[],
    )
    assert diff(empty, empty).empty


def test_diff_with_rows_that_lack_their_rank_tier_or_team_names(world, admin_user):
    sealed = seal(world.edition, by=admin_user)
    pk = world.pk
    older = hand_made(
        sealed,
        2,
        {
            "rows": [
                {"application": pk("甲班组"), "rank": 2},  # no tier: it had none
                {"application": pk("乙班组")},  # neither rank nor tier
                {"rank": 9},  # no application: not a team's row
            ],
        },
    )

    found = diff(older, sealed)

    assert found.moved == [
        Move(pk("甲班组"), "甲班组", 2, 1),
        Move(pk("乙班组"), "乙班组", None, 2),
    ]
    assert found.retiered == [
        Move(pk("甲班组"), "甲班组", None, "一等奖"),
        Move(pk("乙班组"), "乙班组", None, "二等奖"),
    ]
    assert found.entered == [
        Move(pk("丁班组"), "丁班组", None, 3),
        Move(pk("丙班组"), "丙班组", None, 4),
    ]
    assert found.left == []
    # Without applications in either payload a team is named by its application's number.
    bare = hand_made(sealed, 3, {"rows": [{"application": pk("甲班组"), "rank": 1}]})
    assert diff(bare, older).moved == [Move(pk("甲班组"), str(pk("甲班组")), 1, 2)]


# --- Verify ------------------------------------------------------------------------------------


def test_verify_a_sealed_version_finds_no_difference(world, admin_user):
    version = seal(world.edition, by=admin_user)

    assert verify(ResultsVersion.objects.get(pk=version.pk)) is None


def test_verify_names_a_sheet_whose_total_changed_in_the_database(world, admin_user):
    version = seal(world.edition, by=admin_user)
    pk = sheet_pk(world, "presentation", "丁班组", "17.5")
    PresentationSheet.objects.filter(pk=pk).update(total=D("18.0"))

    assert verify(version) == (
        f'presentation sheet {pk} (丁班组): total is "18.0", "17.5" recorded'
    )


def test_verify_names_a_recomputed_figure_that_differs_from_the_recorded_one(world, admin_user):
    version = seal(world.edition, by=admin_user)
    payload = version.payload
    payload["rows"][0]["total"] = "87.91"
    version.sha256 = hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()

    assert verify(version) == 'ranked row 1 (甲班组): total recomputes to "87.90", "87.91" recorded'


def test_verify_names_a_payload_that_no_longer_matches_its_hash(world, admin_user):
    version = seal(world.edition, by=admin_user)
    recorded = version.sha256
    version.payload["rows"][0]["tier"] = "二等奖"

    assert verify(version).endswith(f", {recorded} recorded")
    assert verify(version).startswith("the payload's SHA-256 is ")


# --- Properties and queries --------------------------------------------------------------------


def exact_total(materials: list[str], presentation: list[str]) -> D:
    """80 % of the materials mean plus the presentation mean (three sheets each: a plain mean),
    rounded half up to two decimals once."""
    share = Fraction(sum(Fraction(D(x)) for x in materials), len(materials)) * Fraction(4, 5)
    value = share + Fraction(sum(Fraction(D(x)) for x in presentation), len(presentation))
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return (D(value.numerator) / D(value.denominator)).quantize(D("0.01"))


half_points = st.integers(min_value=0, max_value=40).map(lambda n: str(D(n) / 2))


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.tuples(half_points, half_points, half_points), min_size=4, max_size=4))
def test_a_sealed_version_recomputes_to_its_own_figures_for_any_presentation_sheets(
    world, admin_user, totals
):
    presenters = ("甲班组", "乙班组", "丙班组", "丁班组")
    for name, sheet_totals in zip(presenters, totals, strict=True):
        for sheet, total in zip(
            PresentationSheet.objects.filter(slot=world.slots[name]).order_by("pk"),
            sheet_totals,
            strict=True,
        ):
            PresentationSheet.objects.filter(pk=sheet.pk).update(total=D(total))
    reason = "" if not ResultsVersion.objects.exists() else "复核"

    version = seal(world.edition, by=admin_user, reason=reason)

    assert verify(version) is None
    recorded = {row["application"]: row["total"] for row in version.payload["rows"]}
    assert recorded == {
        world.pk(name): str(exact_total(list(MATERIALS[name]), list(sheet_totals)))
        for name, sheet_totals in zip(presenters, totals, strict=True)
    }
    ranks = [row["rank"] for row in version.payload["rows"]]
    assert ranks == sorted(ranks)


def test_preview_reads_in_a_fixed_number_of_queries(world):
    with CaptureQueriesContext(connection) as four:
        preview(world.edition)
    for number, name in enumerate(("壬班组", "癸班组"), start=9):
        extra = application(world.edition, name, number, ApplicationState.PRESENTED)
        for expert, total in zip(world.reviewers, ("75", "76", "77"), strict=True):
            assign(extra, expert)
            materials_sheet(extra, expert, total)
        slot = Slot.objects.create(
            event=world.event,
            application=extra,
            room=world.rooms[1],
            position=number,
            state=SlotState.DONE,
        )
        for expert, total in zip(world.panels[1], ("15", "15.5", "16"), strict=True):
            presentation_sheet(slot, expert, total)

    with CaptureQueriesContext(connection) as six:
        found = preview(world.edition)

    assert len(found.rows) == 6
    assert len(six) == len(four)
