"""The results' inputs (banzu.results.gather): which sheets count for each presenting team, and
which applications are listed apart with their reason.

`build_results` makes the edition's world the fast way (models directly): two closed rooms of
two teams each, three materials experts on every team and a three-member panel per room, each
sheet with item points adding up to its total; a team absent with its reason, one that was not
selected to present, one eliminated in screening and one disqualified. Its figures:

    team   materials sheets     mean      share   presentation       mean      total  rank
    甲班组  90   88   86          88        70.40   18   17.5 17        17.5      87.90  1
    乙班组  85   86   86          85.6667   68.53   19   18.5 19        18.8333   87.37  2
    丁班组  81   81   81.5        81.1667   64.93   17   17   17.5      17.1667   82.10  3
    丙班组  80   82   84          82        65.60   16   16.5 17        16.5      82.10  4

乙's parts rounded first would add up to 87.36; 丙 and 丁 tie on 82.10 and 丁 ranks first on its
higher presentation score (the default tie rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.utils import timezone, translation

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import AwardTier
from banzu.presentations.enums import RoomState, SlotState
from banzu.presentations.enums import SheetState as PresentationSheetState
from banzu.presentations.models import (
    Event,
    PanelMember,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
)
from banzu.results.enums import ApartReason
from banzu.results.gather import gather
from banzu.review.enums import AssignmentState
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ItemScore, ScoreSheet
from banzu.screening.enums import EliminationReason
from banzu.screening.models import Decision
from tests.factories import ApplicationFactory, UserFactory, complete_fields
from tests.review.conftest import assign, make_expert

SUBMITTED_AT = dt.datetime(2026, 12, 10, 11, 0, tzinfo=dt.UTC)

MATERIALS = {
    "甲班组": ("90", "88", "86"),
    "乙班组": ("85", "86", "86"),
    "丙班组": ("80", "82", "84"),
    "丁班组": ("81", "81", "81.5"),
    "戊班组": ("78", "80", "79"),  # absent on the day
    "己班组": ("70", "71", "72"),  # not selected to present
}
PRESENTATION = {
    "甲班组": ("18", "17.5", "17"),
    "乙班组": ("19", "18.5", "19"),
    "丙班组": ("16", "16.5", "17"),
    "丁班组": ("17", "17", "17.5"),
}
ROOMS = {"甲班组": 0, "丙班组": 0, "乙班组": 1, "丁班组": 1}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def split(total: D, maxima: list[D]) -> list[D]:
    """Points per item adding up to `total`: every item at its maximum, the shortfall taken from
    the largest items first."""
    points = list(maxima)
    shortfall = sum(points) - total
    for index in sorted(range(len(points)), key=lambda i: -points[i]):
        taken = min(shortfall, points[index])
        points[index] -= taken
        shortfall -= taken
    return points


def materials_sheet(application, expert, total: str) -> ScoreSheet:
    sheet = ScoreSheet.objects.create(
        application=application,
        stage=SheetStage.MATERIALS,
        scorer=expert,
        state=SheetState.SUBMITTED,
        total=D(total),
        submitted_at=SUBMITTED_AT,
    )
    rubric = list(application.edition.rubric_items.order_by("position"))
    for item, points in zip(
        rubric, split(D(total), [item.max_points for item in rubric]), strict=True
    ):
        ItemScore.objects.create(sheet=sheet, rubric_item=item, points=points)
    return sheet


def presentation_sheet(slot, expert, total: str, **kwargs) -> PresentationSheet:
    items = list(slot.event.edition.presentation_items.order_by("position"))
    points = split(D(total), [item.max_points for item in items])
    return PresentationSheet.objects.create(
        slot=slot,
        expert=expert,
        state=kwargs.pop("state", PresentationSheetState.SUBMITTED),
        items=[
            {"position": item.position, "points": str(value)}
            for item, value in zip(items, points, strict=True)
        ],
        total=D(total),
        submitted_at=SUBMITTED_AT,
        **kwargs,
    )


@dataclass
class ResultsWorld:
    edition: object
    event: Event
    rooms: list[Room]
    teams: dict[str, Application]  # by team name
    slots: dict[str, Slot]
    reviewers: list  # the three materials experts
    panels: list[list]  # each room's three panel members (users)

    def pk(self, name: str) -> int:
        return self.teams[name].pk


def application(edition, name: str, number: int, state: ApplicationState) -> Application:
    found = ApplicationFactory(edition=edition, team__name=name, state=state, **complete_fields())
    found.recommendation_number = f"杭-2026-{number:03d}"
    found.save(update_fields=["recommendation_number"])
    return found


def build_results(edition) -> ResultsWorld:
    start = timezone.make_aware(dt.datetime(2026, 12, 10, 9, 0))
    event = Event.objects.create(edition=edition, starts_on=start.date(), venue="杭州国际博览中心")
    rooms = [
        Room.objects.create(
            event=event, position=i + 1, name=name, starts_at=start, state=RoomState.CLOSED
        )
        for i, name in enumerate(["第一分会场", "第二分会场"])
    ]
    reviewers = [make_expert(f"reviewer_{i}", f"评审专家{i}") for i in range(1, 4)]
    panels = [[make_expert(f"panel_{r}{i}", f"评委{r}{i}") for i in range(1, 4)] for r in "ab"]
    for room, panel in zip(rooms, panels, strict=True):
        for user in panel:
            PanelMember.objects.create(room=room, expert=user)
    teams: dict[str, Application] = {}
    slots: dict[str, Slot] = {}
    for number, (name, totals) in enumerate(MATERIALS.items(), start=1):
        state = ApplicationState.SCORED if name == "己班组" else ApplicationState.PRESENTED
        found = application(edition, name, number, state)
        teams[name] = found
        for expert, total in zip(reviewers, totals, strict=True):
            assign(found, expert)
            materials_sheet(found, expert, total)
    for name, room_index in ROOMS.items():
        slots[name] = Slot.objects.create(
            event=event,
            application=teams[name],
            room=rooms[room_index],
            position=sum(1 for other in slots if ROOMS[other] == room_index) + 1,
            state=SlotState.DONE,
        )
        for expert, total in zip(panels[room_index], PRESENTATION[name], strict=True):
            presentation_sheet(slots[name], expert, total)
    slots["戊班组"] = Slot.objects.create(
        event=event,
        application=teams["戊班组"],
        room=rooms[0],
        position=3,
        state=SlotState.ABSENT,
        absent_reason="班组长因工伤住院，未能到场",
    )
    slots["己班组"] = Slot.objects.create(
        event=event,
        application=teams["己班组"],
        presenting=False,
        not_presenting_reason="rank 6, not among the best 5",
    )
    eliminated = application(edition, "庚班组", 7, ApplicationState.ELIMINATED)
    Decision.objects.create(
        application=eliminated,
        outcome=Decision.Outcome.ELIMINATED,
        reason_code=EliminationReason.INCOMPLETE,
        reason_text="缺少盖章的申报表扫描件",
        decided_by=UserFactory(username="screener", role="admin"),
    )
    teams["庚班组"] = eliminated
    disqualified = application(edition, "辛班组", 8, ApplicationState.DISQUALIFIED)
    disqualified.state_reason = "材料与2024年度某班组材料雷同，复制比62%"
    disqualified.save(update_fields=["state_reason"])
    teams["辛班组"] = disqualified
    for position, quota in ((1, 1), (2, 1), (3, 1)):
        AwardTier.objects.filter(edition=edition, position=position).update(quota=quota)
    return ResultsWorld(edition, event, rooms, teams, slots, reviewers, panels)


@pytest.fixture
def results_world(edition) -> ResultsWorld:
    return build_results(edition)


# --- The tests ---------------------------------------------------------------------------------


def totals_of(sheets) -> list[str]:
    return [str(sheet.total) for sheet in sheets]


def test_gather_counts_each_presenting_teams_sheets_and_lists_the_others_apart(results_world):
    world = results_world

    inputs = gather(world.edition)

    assert inputs.blocking == []
    assert inputs.presenters == [
        world.pk(name) for name in ("甲班组", "乙班组", "丙班组", "丁班组")
    ]
    assert {pk: room.name for pk, room in inputs.rooms.items()} == {
        world.pk("甲班组"): "第一分会场",
        world.pk("乙班组"): "第二分会场",
        world.pk("丙班组"): "第一分会场",
        world.pk("丁班组"): "第二分会场",
    }
    assert totals_of(inputs.materials[world.pk("乙班组")]) == ["85.0", "86.0", "86.0"]
    assert totals_of(inputs.presentation[world.pk("丁班组")]) == ["17.0", "17.0", "17.5"]
    # The non-presenters keep their materials sheets (their materials score is shown).
    assert totals_of(inputs.materials[world.pk("戊班组")]) == ["78.0", "80.0", "79.0"]
    assert sorted(inputs.presentation) == sorted(inputs.presenters)
    assert [(a.application.team.name, a.reason, a.detail) for a in inputs.apart] == [
        ("戊班组", ApartReason.NOT_PRESENTED, "班组长因工伤住院，未能到场"),
        ("己班组", ApartReason.NOT_PRESENTED, "rank 6, not among the best 5"),
        ("庚班组", ApartReason.ELIMINATED, "Incomplete：缺少盖章的申报表扫描件"),
        ("辛班组", ApartReason.DISQUALIFIED, "材料与2024年度某班组材料雷同，复制比62%"),
    ]


def test_gather_records_each_sheets_item_points(results_world):
    inputs = gather(results_world.edition)

    sheet = inputs.presentation[results_world.pk("甲班组")][1]  # 17.5 on items 6 4 4 3 3
    assert sheet.items == ((1, D("3.5")), (2, D("4")), (3, D("4")), (4, D("3")), (5, D("3")))
    materials = inputs.materials[results_world.pk("甲班组")][0]  # 90 on items 15 25 30 15 15
    assert [str(points) for _key, points in materials.items] == [
        "15.0",
        "25.0",
        "20.0",
        "15.0",
        "15.0",
    ]
    assert materials.record()["total"] == "90.0"


def test_gather_leaves_out_a_recused_members_a_draft_and_a_removed_experts_sheet(results_world):
    world = results_world
    slot = world.slots["甲班组"]
    member = PanelMember.objects.get(room=world.rooms[0], expert=world.panels[0][2])
    Recusal.objects.create(member=member, slot=slot, reason="曾在该单位任职")
    outsider = make_expert("outsider", "非本场评委")
    presentation_sheet(slot, outsider, "20")
    draft = PresentationSheet.objects.get(slot=world.slots["丙班组"], expert=world.panels[0][0])
    PresentationSheet.objects.filter(pk=draft.pk).update(state=PresentationSheetState.DRAFT)
    world.teams["乙班组"].assignments.filter(expert=world.reviewers[0]).update(
        state=AssignmentState.CONFLICT
    )

    inputs = gather(world.edition)

    assert totals_of(inputs.presentation[world.pk("甲班组")]) == ["18.0", "17.5"]
    assert totals_of(inputs.presentation[world.pk("丙班组")]) == ["16.5", "17.0"]
    assert totals_of(inputs.materials[world.pk("乙班组")]) == ["86.0", "86.0"]


def test_gather_blocks_on_a_presenting_team_without_a_presentation_score(results_world):
    world = results_world
    PresentationSheet.objects.filter(slot=world.slots["丙班组"]).update(
        state=PresentationSheetState.RETURNED
    )
    Slot.objects.filter(pk=world.slots["丁班组"].pk).update(state=SlotState.PRESENTING)

    inputs = gather(world.edition)

    assert [(a.application.team.name, a.reason, a.detail) for a in inputs.blocking] == [
        ("丙班组", ApartReason.NO_PRESENTATION_SCORE, "No submitted presentation sheet"),
        ("丁班组", ApartReason.NO_PRESENTATION_SCORE, "Not presented yet"),
    ]
    assert inputs.presenters == [world.pk("甲班组"), world.pk("乙班组")]
