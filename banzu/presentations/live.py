"""The live event in one room: the console's moves (the stage timer, absent, to the end, the next
team, closing the room) and the reads the console, the big screen and the admin's board poll.

Every state moves through the workflow engine (presentations.workflow SLOT and ROOM); the timer
only gains marks with the server's time, validated by the pure core (timer.apply) on the replayed
marks under a row lock. Closing the room sets each presented team's score from its panel's
submitted sheets and moves the room's applications from `scored` to `presented` through the one
application transition function.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.applications.workflow import Actor as ApplicationActor
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.presentations import selectors, timer
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import (
    Event,
    PanelMember,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
    TimerMark,
)
from banzu.presentations.permissions import staff_actors
from banzu.presentations.workflow import ROOM, SLOT
from banzu.scoring import core

actions.register(
    "presentations.timer",
    "presentations.timer_refused",
    "presentations.moved_to_end",
)

# The board warns when the next team's planned start has passed by this many minutes.
LATE_MINUTES = 5


def timer_refusal(code: str) -> str:
    messages = {
        "already_started": _("The timer is already running."),
        "not_started": _("The timer has not been started."),
        "not_running": _("The timer is already paused."),
        "not_paused": _("The timer is not paused."),
        "stopped": _("The timer has been stopped."),
        "time_went_back": _("Another device moved the timer at the same moment; try again."),
    }
    return messages.get(code, _("The timer refused this step."))


def _require_staff(user: User, room: Room) -> set[str]:
    actors = staff_actors(user, room) & {"admin", "secretary"}
    if not actors:
        raise ServiceError(_("You may not run this room."), code="forbidden")
    return actors


def _stop_timer(slot: Slot, *, by: User, now: dt.datetime) -> None:
    """Stop the slot's timer if it is running or paused (the team leaves the stage)."""
    state = selectors.timer_state(slot)
    if timer.EventKind.STOP in timer.allowed(state):
        at = max(now, state.last_at) if state.last_at else now
        TimerMark.objects.create(slot=slot, kind=timer.EventKind.STOP, at=at, by=by)


# --- The stage timer --------------------------------------------------------------------------


def timer_event(
    *,
    slot: Slot,
    kind: timer.EventKind,
    by: User,
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> timer.TimerState:
    """Record a start, pause, resume or stop of the presenting team's timer at the server's
    time; a move the timer does not allow is refused with its code (journalled)."""
    now = now or timezone.now()
    refused: ServiceError | None = None
    with transaction.atomic():
        # Only the slot's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of
        # the join to its room.
        locked = Slot.objects.select_for_update(of=("self",)).select_related("room").get(pk=slot.pk)
        assert locked.room is not None
        _require_staff(by, locked.room)
        if locked.state != SlotState.PRESENTING:
            raise ServiceError(_("This team is not on stage."), code="not_presenting")
        state = selectors.timer_state(locked)
        try:
            state = timer.apply(state, timer.TimerEvent(kind, now))
        except timer.TimerError as error:
            refused = ServiceError(timer_refusal(error.code), code=error.code)
        else:
            TimerMark.objects.create(slot=locked, kind=kind, at=now, by=by)
            record(
                action="presentations.timer",
                actor=by,
                target=locked,
                data={"kind": str(kind), "at": now.isoformat()},
                ip=ip,
            )
    if refused is not None:
        record(
            action="presentations.timer_refused",
            actor=by,
            target=slot,
            data={"kind": str(kind), "code": refused.code},
            ip=ip,
        )
        raise refused
    return state


# --- The order --------------------------------------------------------------------------------


def mark_absent(
    *, slot: Slot, by: User, reason: str, now: dt.datetime | None = None, ip: str | None = None
) -> Slot:
    """A team that does not come: absent with the reason; it gets no presentation score."""
    now = now or timezone.now()
    assert slot.room is not None
    room = slot.room

    def update(locked: Slot, move: Move) -> None:
        locked.absent_reason = move.reason
        locked.finished_at = move.now

    with transaction.atomic():
        _stop_timer(slot, by=by, now=now)
        return apply(
            SLOT,
            slot,
            target=SlotState.ABSENT,
            actor=by,
            actors=lambda _locked: staff_actors(by, room),
            reason=reason,
            ip=ip,
            now=now,
            update=update,
        )


def move_to_end(*, slot: Slot, by: User, ip: str | None = None) -> Slot:
    """A waiting team goes to the end of the order (its drawn position stays on record)."""
    assert slot.room is not None
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=slot.room.pk)
        _require_staff(by, room)
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        if locked.state != SlotState.WAITING:
            raise ServiceError(_("Only a waiting team can be moved."), code="not_waiting")
        last = Slot.objects.filter(room=room).aggregate(last=Max("position"))["last"] or 0
        if locked.position == last:
            raise ServiceError(_("This team is already last."), code="already_last")
        before = locked.position
        locked.position = last + 1
        locked.save(update_fields=["position"])
        record(
            action="presentations.moved_to_end",
            actor=by,
            target=locked,
            data={"from": before, "to": locked.position, "drawn": locked.drawn_position},
            ip=ip,
        )
    return locked


# --- Moving on, closing ------------------------------------------------------------------------


def sheets_missing(slot: Slot) -> list[User]:
    """The scorers of the team who have not submitted a sheet for it."""
    submitted = set(
        PresentationSheet.objects.filter(slot=slot, state=SheetState.SUBMITTED).values_list(
            "expert_id", flat=True
        )
    )
    return [
        member.expert for member in selectors.scorers(slot) if member.expert_id not in submitted
    ]


def _finish_current(room: Room, *, by: User, reason: str, now: dt.datetime, ip: str | None) -> None:
    current = room.current
    if current is None or current.state != SlotState.PRESENTING:
        return
    _stop_timer(current, by=by, now=now)

    def update(locked: Slot, move: Move) -> None:
        locked.finished_at = move.now

    missing = [user.pk for user in sheets_missing(current)]
    apply(
        SLOT,
        current,
        target=SlotState.DONE,
        actor=by,
        actors=lambda _locked: staff_actors(by, room),
        ip=ip,
        now=now,
        update=update,
        data={"missing_sheets": missing, "confirmed": reason} if missing else None,
    )


def _check_sheets(room: Room, *, confirm: bool, reason: str) -> None:
    current = room.current
    if current is None or current.state != SlotState.PRESENTING:
        return
    missing = sheets_missing(current)
    if missing and not confirm:
        raise ServiceError(
            _("%(count)s panel members have not submitted for %(team)s: %(names)s.")
            % {
                "count": len(missing),
                "team": current.application.team.name,
                "names": "、".join(user.display_name for user in missing),
            },
            code="sheets_missing",
        )
    if missing and not reason.strip():
        raise ServiceError(_("Say why you go on without every sheet."), code="reason")


def _locked_room(room: Room) -> Room:
    return (
        Room.objects.select_for_update(of=("self",))
        .select_related("event__edition", "current__application__team")
        .get(pk=room.pk)
    )


def open_next(
    *,
    room: Room,
    by: User,
    confirm: bool = False,
    reason: str = "",
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> Slot | None:
    """The team on stage is done and the next waiting team is opened for scoring (the first
    opening starts the room). Refused while the team on stage lacks sheets unless confirmed
    with a reason. Returns the team now on stage, or None when none is left."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_room(room)
        _require_staff(by, locked)
        if locked.state not in (RoomState.DRAWN, RoomState.RUNNING):
            raise ServiceError(_("This room is not running."), code="room_state")
        _check_sheets(locked, confirm=confirm, reason=reason)
        _finish_current(locked, by=by, reason=reason, now=now, ip=ip)
        upcoming = selectors.next_slot(locked)
        if upcoming is None:
            return None
        if locked.state == RoomState.DRAWN:
            apply(
                ROOM,
                locked,
                target=RoomState.RUNNING,
                actor=by,
                actors=lambda _room: staff_actors(by, locked),
                ip=ip,
                now=now,
            )

        def update(slot: Slot, move: Move) -> None:
            slot.opened_at = move.now

        opened = apply(
            SLOT,
            upcoming,
            target=SlotState.PRESENTING,
            actor=by,
            actors=lambda _slot: staff_actors(by, locked),
            ip=ip,
            now=now,
            update=update,
        )
        Room.objects.filter(pk=locked.pk).update(current=opened)
        return opened


def close_room(
    *,
    room: Room,
    by: User,
    confirm: bool = False,
    reason: str = "",
    now: dt.datetime | None = None,
    ip: str | None = None,
) -> Room:
    """Close the room: the team on stage is done, every presented team gets its presentation
    score, and the room's applications move from `scored` to `presented`. Refused while teams
    still wait, and while the team on stage lacks sheets unless confirmed with a reason."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_room(room)
        _require_staff(by, locked)
        if locked.state != RoomState.RUNNING:
            raise ServiceError(_("Only a running room can be closed."), code="room_state")
        waiting = Slot.objects.filter(room=locked, presenting=True, state=SlotState.WAITING)
        if waiting.exists():
            raise ServiceError(
                _("%(count)s teams have not presented yet: open them or mark them absent first.")
                % {"count": waiting.count()},
                code="teams_waiting",
            )
        _check_sheets(locked, confirm=confirm, reason=reason)
        _finish_current(locked, by=by, reason=reason, now=now, ip=ip)
        event = locked.event
        scores: dict[int, str | None] = {}
        for slot in selectors.room_order(locked).filter(state=SlotState.DONE):
            slot.score = selectors.slot_score(slot, event).score.score
            slot.save(update_fields=["score"])
            scores[slot.pk] = None if slot.score is None else str(slot.score)

        def update(closing: Room, move: Move) -> None:
            closing.closed_at = move.now

        closed = apply(
            ROOM,
            locked,
            target=RoomState.CLOSED,
            actor=by,
            actors=lambda _room: staff_actors(by, locked),
            reason=reason,
            ip=ip,
            now=now,
            update=update,
            data={"scores": scores},
        )
        for slot in selectors.room_order(locked).filter(application__state=ApplicationState.SCORED):
            application_services.transition(
                slot.application,
                to=ApplicationState.PRESENTED,
                actor=by,
                ip=ip,
                now=now,
                acting_as=ApplicationActor.ADMIN,
            )
    return closed


# --- Reads the live pages poll ----------------------------------------------------------------


@dataclass(frozen=True)
class TimerView:
    """What a page needs to show the timer and let the browser run it on: the server's
    reading now, and whether it runs on."""

    reading: timer.Reading
    status: timer.Status
    settings: timer.TimerSettings
    allowed: frozenset[str]  # the moves the console may offer

    @property
    def running(self) -> bool:
        return self.status == timer.Status.RUNNING

    @property
    def elapsed_ms(self) -> int:
        return self.reading.elapsed // dt.timedelta(milliseconds=1)


def timer_view(slot: Slot | None, event: Event, now: dt.datetime) -> TimerView | None:
    """The timer of the team on stage (or of the last team, done); None before any team."""
    if slot is None or slot.state not in (SlotState.PRESENTING, SlotState.DONE):
        return None
    state = selectors.timer_state(slot)
    settings = selectors.timer_settings(event)
    allowed = (
        frozenset(kind.value for kind in timer.allowed(state))
        if slot.state == SlotState.PRESENTING
        else frozenset()
    )
    return TimerView(timer.reading(state, now, settings), state.status, settings, allowed)


@dataclass(frozen=True)
class SlotTally:
    slot: Slot
    score: Decimal | None
    submitted: int
    expected: int

    @property
    def complete(self) -> bool:
        return self.expected > 0 and self.submitted >= self.expected


def room_scores(room: Room, event: Event) -> list[SlotTally]:
    """Every presenting team of the room in order with its score as selectors.slot_score
    gives it, in four queries for the whole room (the screen shows it at the end)."""
    slots = list(selectors.room_order(room))
    panel = list(PanelMember.objects.filter(room=room).values_list("pk", "expert_id"))
    recused: dict[int, set[int]] = defaultdict(set)
    for member_id, slot_id in Recusal.objects.filter(member__room=room).values_list(
        "member_id", "slot_id"
    ):
        recused[slot_id].add(member_id)
    totals: dict[int, dict[int, tuple[int, Decimal]]] = defaultdict(dict)
    for pk, slot_id, expert_id, total in PresentationSheet.objects.filter(
        slot__room=room, state=SheetState.SUBMITTED
    ).values_list("pk", "slot_id", "expert_id", "total"):
        totals[slot_id][expert_id] = (pk, total)
    edition = event.edition
    tallies = []
    for slot in slots:
        scorer_ids = {expert for member, expert in panel if member not in recused[slot.pk]}
        counted = {
            pk: total for expert, (pk, total) in totals[slot.pk].items() if expert in scorer_ids
        }
        result = core.aggregate_sheets(
            counted, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts
        )
        tallies.append(SlotTally(slot, result.score, len(counted), len(scorer_ids)))
    return tallies


@dataclass(frozen=True)
class Submission:
    expert: User
    submitted: bool
    recused: bool
    recusal_reason: str


def submissions(slot: Slot) -> list[Submission]:
    """The panel for one team: who submitted, who is recused (and why), in three queries."""
    if slot.room_id is None:
        return []
    panel = list(PanelMember.objects.filter(room_id=slot.room_id).select_related("expert"))
    recusals = dict(Recusal.objects.filter(slot=slot).values_list("member_id", "reason"))
    submitted = set(
        PresentationSheet.objects.filter(slot=slot, state=SheetState.SUBMITTED).values_list(
            "expert_id", flat=True
        )
    )
    return [
        Submission(
            member.expert,
            member.expert_id in submitted and member.pk not in recusals,
            member.pk in recusals,
            recusals.get(member.pk, ""),
        )
        for member in panel
    ]


@dataclass(frozen=True)
class BoardRow:
    room: Room
    current: Slot | None
    done: int
    absent: int
    total: int
    missing: list[str]  # display names of scorers without a submitted sheet for the current
    behind_minutes: int  # 0 when on time
    finished: bool

    @property
    def progress(self) -> int:
        return self.done + self.absent


def _behind(
    room: Room,
    event: Event,
    order: list[Slot],
    now: dt.datetime,
) -> int:
    """Minutes the room runs behind its plan: the next waiting team's planned start passed by
    more than LATE_MINUTES, or the team on stage opened later than its planned start plus the
    changeover. The plan counts teams in the current order."""
    late = dt.timedelta(0)
    for number, slot in enumerate(order, start=1):
        planned = selectors.planned_start(room, number, event)
        if slot.state == SlotState.PRESENTING and slot.opened_at is not None:
            gap = slot.opened_at - planned
            if gap > dt.timedelta(minutes=event.changeover_minutes):
                late = max(late, gap)
        elif slot.state == SlotState.WAITING:
            gap = now - planned
            if gap > dt.timedelta(minutes=LATE_MINUTES):
                late = max(late, gap)
            break  # the next waiting team is the one that counts
    return int(late.total_seconds() // 60)


def board(event: Event, now: dt.datetime | None = None) -> list[BoardRow]:
    """Every room of the event for the admin's live board, in five queries however many rooms."""
    now = now or timezone.now()
    rooms = list(
        Room.objects.filter(event=event)
        .select_related("current__application__team__enterprise")
        .order_by("position")
    )
    slots: dict[int, list[Slot]] = defaultdict(list)
    for slot in (
        Slot.objects.filter(event=event, presenting=True, room__isnull=False)
        .only("pk", "room_id", "state", "position", "opened_at", "application_id")
        .order_by("position", "application_id")
    ):
        assert slot.room_id is not None
        slots[slot.room_id].append(slot)
    current_ids = [room.current_id for room in rooms if room.current_id is not None]
    panel: dict[int, list[tuple[int, User]]] = defaultdict(list)
    for member in PanelMember.objects.filter(room__event=event).select_related("expert"):
        panel[member.room_id].append((member.pk, member.expert))
    recused = set(
        Recusal.objects.filter(slot_id__in=current_ids).values_list("slot_id", "member_id")
    )
    submitted = set(
        PresentationSheet.objects.filter(
            slot_id__in=current_ids, state=SheetState.SUBMITTED
        ).values_list("slot_id", "expert_id")
    )
    rows = []
    for room in rooms:
        order = slots[room.pk]
        current = room.current
        missing: list[str] = []
        if current is not None and current.state == SlotState.PRESENTING:
            missing = [
                expert.display_name
                for member_id, expert in panel[room.pk]
                if (current.pk, member_id) not in recused
                and (current.pk, expert.pk) not in submitted
            ]
        done = sum(1 for slot in order if slot.state == SlotState.DONE)
        absent = sum(1 for slot in order if slot.state == SlotState.ABSENT)
        running = room.state == RoomState.RUNNING
        rows.append(
            BoardRow(
                room=room,
                current=current,
                done=done,
                absent=absent,
                total=len(order),
                missing=missing,
                behind_minutes=_behind(room, event, order, now) if running else 0,
                finished=room.state == RoomState.CLOSED,
            )
        )
    return rows


def room_counts(room: Room) -> dict[str, int]:
    """Done, absent and total presenting teams of one room, in one query."""
    counts = Slot.objects.filter(room=room, presenting=True).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=SlotState.DONE)),
        absent=Count("pk", filter=Q(state=SlotState.ABSENT)),
        waiting=Count("pk", filter=Q(state=SlotState.WAITING)),
    )
    return {key: value or 0 for key, value in counts.items()}
