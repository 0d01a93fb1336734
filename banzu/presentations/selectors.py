"""Reads of the event shared by every page: the event of an edition, a room's order, the stage
timer of a slot (replayed from its marks), and a team's presentation score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from banzu.editions.models import Edition
from banzu.presentations import timer
from banzu.presentations.enums import SheetState, SlotState
from banzu.presentations.models import Event, PanelMember, PresentationSheet, Room, Slot
from banzu.scoring import core


def event_for(edition: Edition) -> Event | None:
    return Event.objects.filter(edition=edition).select_related("edition").first()


def timer_settings(event: Event) -> timer.TimerSettings:
    return timer.TimerSettings(
        presentation_minutes=event.presentation_minutes,
        question_minutes=event.question_minutes,
        warning_minutes=event.warning_minutes,
    )


def timer_state(slot: Slot) -> timer.TimerState:
    """The slot's timer as its recorded marks add up to (server time only)."""
    return timer.replay(
        timer.TimerEvent(timer.EventKind(mark.kind), mark.at) for mark in slot.timer_marks.all()
    )


def timer_reading(slot: Slot, event: Event, now: dt.datetime) -> timer.Reading:
    return timer.reading(timer_state(slot), now, timer_settings(event))


def room_order(room: Room) -> QuerySet[Slot]:
    """The room's presenting teams in the order they present (drawn, then moved by the
    console); teams not yet drawn come last by application."""
    return (
        Slot.objects.filter(room=room, presenting=True)
        .select_related("application__team__enterprise", "application__recommender")
        .order_by("position", "application_id")
    )


def next_slot(room: Room) -> Slot | None:
    """The first waiting team after the current one in the order (or from the top)."""
    waiting = room_order(room).filter(state=SlotState.WAITING)
    if room.current is not None and room.current.position is not None:
        after = waiting.filter(position__gt=room.current.position).first()
        if after is not None:
            return after
    return waiting.first()


def scorers(slot: Slot) -> QuerySet[PanelMember]:
    """The panel members who score this team: the room's panel less those recused from it."""
    if slot.room_id is None:
        return PanelMember.objects.none()
    return (
        PanelMember.objects.filter(room_id=slot.room_id)
        .exclude(recusals__slot=slot)
        .select_related("expert")
    )


@dataclass(frozen=True)
class SlotScore:
    score: core.Aggregate[int]  # keyed by sheet pk; score out of 20 (two decimals)
    submitted: int  # sheets counted
    expected: int  # scorers on the panel for this team


def slot_score(slot: Slot, event: Event) -> SlotScore:
    """The team's presentation score: the edition's aggregation (mean, or the trimmed mean from
    `trim_min_experts` sheets up) over the submitted sheets of its scorers, rounded half up once
    to two decimals. Sheets of recused members never count; an absent team has no score."""
    edition = event.edition
    if slot.state == SlotState.ABSENT:
        return SlotScore(
            score=core.aggregate_sheets({}, rule=edition.aggregation_rule, trim_min=0),
            submitted=0,
            expected=scorers(slot).count(),
        )
    scorer_ids = set(scorers(slot).values_list("expert_id", flat=True))
    totals = {
        sheet.pk: sheet.total
        for sheet in PresentationSheet.objects.filter(
            slot=slot, state=SheetState.SUBMITTED, expert_id__in=scorer_ids
        )
    }
    result = core.aggregate_sheets(
        totals, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts
    )
    return SlotScore(score=result, submitted=len(totals), expected=len(scorer_ids))


def slot_minutes(event: Event) -> int:
    """Minutes one team takes in the schedule: presentation, questions, changeover."""
    return event.presentation_minutes + event.question_minutes + event.changeover_minutes


def planned_start(room: Room, position: int, event: Event) -> dt.datetime:
    """When the team at `position` (1-based) is planned to start: the room's first start plus
    one full slot per team before it. Absences and overruns do not move the plan; the live board
    compares the plan with what happened."""
    return room.starts_at + dt.timedelta(minutes=slot_minutes(event) * (position - 1))
