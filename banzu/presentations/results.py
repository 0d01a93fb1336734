"""Reads of the event's outcome for the admin: per room, each team in order with its
presentation score, every panel member's sheet for it (counted, dropped by the trimmed mean,
recused, returned or missing), and the fairness figures across rooms (banzu.presentations.fairness).

A team's score is selectors.slot_score's, computed here for a whole event in a fixed number of
queries: the same scorers (the room's panel less those recused), the same sheets (submitted), the
same aggregation (banzu.scoring.core.aggregate_sheets keyed by sheet). A test checks that both
give the same figures for every team.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from banzu.accounts.models import User
from banzu.presentations import fairness
from banzu.presentations.enums import SheetState, SlotState
from banzu.presentations.models import (
    Event,
    PanelMember,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
)
from banzu.scoring import core


class Mark(StrEnum):
    """What one panel member's cell says for one team."""

    COUNTED = "counted"
    DROPPED = "dropped"  # submitted, left out of the trimmed mean (still counted for leniency)
    RECUSED = "recused"
    RETURNED = "returned"  # returned for correction, not yet submitted again
    MISSING = "missing"  # no submitted sheet (none, or a draft)


@dataclass(frozen=True)
class MemberCell:
    member: PanelMember
    mark: Mark
    sheet: PresentationSheet | None = None  # the submitted sheet behind a counted or dropped mark
    recusal_reason: str = ""

    @property
    def total(self) -> Decimal | None:
        return self.sheet.total if self.sheet is not None else None


@dataclass
class TeamRow:
    slot: Slot
    cells: list[MemberCell]  # one per panel member, in the panel's order
    score: core.Aggregate[int]  # keyed by sheet pk, out of 20
    expected: int  # scorers: the panel less the recused

    @property
    def absent(self) -> bool:
        return self.slot.state == SlotState.ABSENT

    @property
    def submitted(self) -> int:
        return sum(1 for cell in self.cells if cell.mark in (Mark.COUNTED, Mark.DROPPED))

    @property
    def missing(self) -> int:
        """Sheets still to come for a team that has presented or is presenting."""
        if self.slot.state not in (SlotState.PRESENTING, SlotState.DONE):
            return 0
        return self.expected - self.submitted

    @property
    def counted_sheets(self) -> list[PresentationSheet]:
        return [cell.sheet for cell in self.cells if cell.sheet is not None]


@dataclass
class LeniencyRow:
    member: PanelMember
    leniency: fairness.Leniency[int]


@dataclass
class RoomResults:
    room: Room
    panel: list[PanelMember]  # chair first, then by name
    teams: list[TeamRow]
    spread: fairness.Spread = field(init=False)
    leniency: list[LeniencyRow] = field(init=False)
    from_event: Decimal | None = None  # room mean − event mean, set by event_results

    def __post_init__(self) -> None:
        self.spread = fairness.spread(scores(self.teams))
        ratings = [
            fairness.Rating(team=row.slot.pk, expert=cell.member.pk, total=cell.sheet.total)
            for row in self.teams
            for cell in row.cells
            if cell.sheet is not None
        ]
        by_pk = {member.pk: member for member in self.panel}
        self.leniency = [
            LeniencyRow(member=by_pk[pk], leniency=found)
            for pk, found in fairness.leniency(ratings).items()
        ]
        self.leniency.sort(
            key=lambda row: (row.leniency.exact is None, -(row.leniency.exact or Fraction(0)))
        )

    @property
    def chair(self) -> User | None:
        return self.room.chair

    @property
    def absent(self) -> int:
        return sum(1 for row in self.teams if row.absent)

    @property
    def missing(self) -> int:
        return sum(row.missing for row in self.teams)

    @property
    def scored(self) -> int:
        return self.spread.n


@dataclass
class EventResults:
    event: Event
    rooms: list[RoomResults]
    spread: fairness.Spread  # over every scored team of the event
    gaps: list[fairness.Gap[int]]  # keyed by room pk
    rooms_by_pk: dict[int, Room]

    @property
    def sheets(self) -> int:
        return sum(len(row.counted_sheets) for room in self.rooms for row in room.teams)

    def gap_rooms(self) -> list[tuple[Room, Room, Decimal]]:
        return [
            (self.rooms_by_pk[gap.higher], self.rooms_by_pk[gap.lower], gap.difference)
            for gap in self.gaps
        ]


def scores(rows: Iterable[TeamRow]) -> list[Decimal]:
    """The presentation scores of the teams that have one (absent teams and teams without a
    submitted sheet have none)."""
    return [row.score.score for row in rows if row.score.score is not None]


def _panel_order(panel: Iterable[PanelMember], chair_id: int | None) -> list[PanelMember]:
    return sorted(
        panel,
        key=lambda member: (
            member.expert_id != chair_id,
            member.expert.full_name,
            member.expert.username,
        ),
    )


def _team_row(
    slot: Slot,
    panel: list[PanelMember],
    recusals: dict[tuple[int, int], str],
    sheets: dict[tuple[int, int], PresentationSheet],
    *,
    rule: str,
    trim_min: int,
) -> TeamRow:
    scoring: dict[int, PresentationSheet] = {}
    # An absent team gets no score, whatever was typed for it.
    for member in [] if slot.state == SlotState.ABSENT else panel:
        sheet = sheets.get((slot.pk, member.expert_id))
        if (member.pk, slot.pk) not in recusals and sheet and sheet.state == SheetState.SUBMITTED:
            scoring[sheet.pk] = sheet
    score = core.aggregate_sheets(
        {pk: sheet.total for pk, sheet in scoring.items()}, rule=rule, trim_min=trim_min
    )
    cells = []
    for member in panel:
        reason = recusals.get((member.pk, slot.pk))
        sheet = sheets.get((slot.pk, member.expert_id))
        if reason is not None:
            cells.append(MemberCell(member, Mark.RECUSED, recusal_reason=reason))
        elif sheet is not None and sheet.pk in scoring:
            mark = Mark.DROPPED if sheet.pk in score.dropped else Mark.COUNTED
            cells.append(MemberCell(member, mark, sheet=sheet))
        elif sheet is not None and sheet.state == SheetState.RETURNED:
            cells.append(MemberCell(member, Mark.RETURNED))
        else:
            cells.append(MemberCell(member, Mark.MISSING))
    expected = sum(1 for cell in cells if cell.mark != Mark.RECUSED)
    return TeamRow(slot=slot, cells=cells, score=score, expected=expected)


def _rooms(event: Event, rooms: list[Room]) -> list[RoomResults]:
    """The rooms' results in six queries, whatever the number of rooms, teams and sheets."""
    edition = event.edition
    room_ids = [room.pk for room in rooms]
    panels: dict[int, list[PanelMember]] = {pk: [] for pk in room_ids}
    for member in PanelMember.objects.filter(room_id__in=room_ids).select_related("expert"):
        panels[member.room_id].append(member)
    slots: dict[int, list[Slot]] = {pk: [] for pk in room_ids}
    for slot in (
        Slot.objects.filter(room_id__in=room_ids, presenting=True)
        .select_related("application__team__enterprise", "application__recommender")
        .order_by("position", "application_id")
    ):
        assert slot.room_id is not None
        slots[slot.room_id].append(slot)
    recusals = {
        (recusal.member_id, recusal.slot_id): recusal.reason
        for recusal in Recusal.objects.filter(member__room_id__in=room_ids)
    }
    sheets = {
        (sheet.slot_id, sheet.expert_id): sheet
        for sheet in PresentationSheet.objects.filter(slot__room_id__in=room_ids).select_related(
            "entered_by"
        )
    }
    found = []
    for room in rooms:
        panel = _panel_order(panels[room.pk], room.chair_id)
        found.append(
            RoomResults(
                room=room,
                panel=panel,
                teams=[
                    _team_row(
                        slot,
                        panel,
                        recusals,
                        sheets,
                        rule=edition.aggregation_rule,
                        trim_min=edition.trim_min_experts,
                    )
                    for slot in slots[room.pk]
                ],
            )
        )
    return found


ROOM_RELATED = ("chair", "secretary", "event__edition")


def event_results(event: Event) -> EventResults:
    rooms = list(
        Room.objects.filter(event=event).select_related(*ROOM_RELATED).order_by("position")
    )
    found = _rooms(event, rooms)
    overall = fairness.spread(scores(row for room in found for row in room.teams))
    for room in found:
        if room.spread.exact_mean is not None and overall.exact_mean is not None:
            room.from_event = fairness.signed(room.spread.exact_mean - overall.exact_mean)
    gaps = fairness.gaps(
        {room.room.pk: room.spread.exact_mean for room in found}, limit=event.fairness_flag
    )
    return EventResults(
        event=event,
        rooms=found,
        spread=overall,
        gaps=gaps,
        rooms_by_pk={room.pk: room for room in rooms},
    )


def room_results(room: Room) -> RoomResults:
    """One room's results (its score summary): the room is fetched by the caller's permission
    helper, with its event and edition."""
    return _rooms(room.event, [room])[0]
