"""The admin's setup of the presentation event: its settings, who presents, the rooms (分会场)
with their secretaries, and the teams' distribution over the rooms.

Every write is a service here, journalled; nothing that decides who presents or where changes
once a room's order is drawn (the draw's input list would no longer reproduce). The panels are
set up in setup_panels, the draw in setup_draw.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from banzu.accounts import services as account_services
from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.editions.models import Edition
from banzu.presentations.enums import RoomState, Selection
from banzu.presentations.models import Event, Recusal, Room, Slot
from banzu.presentations.setup_panels import check_scorers, sync_recusals
from banzu.review.results import edition_results

actions.register(
    "presentations.event_saved",
    "presentations.selection_saved",
    "presentations.room_created",
    "presentations.room_updated",
    "presentations.room_deleted",
    "presentations.secretary_created",
    "presentations.teams_distributed",
    "presentations.team_moved",
)

EVENT_FIELDS = (
    "starts_on",
    "ends_on",
    "venue",
    "presentation_minutes",
    "question_minutes",
    "warning_minutes",
    "changeover_minutes",
    "panel_size",
    "selection",
    "selection_count",
    "selection_min_score",
    "group_by_industry",
    "show_score",
    "fairness_flag",
)
ROOM_FIELDS = ("name", "place", "starts_at", "secretary")


def _journal_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def number_key(number: str | None, pk: int) -> tuple[str, int, int]:
    """Recommendation numbers in their natural order ("杭-2026-010" after "杭-2026-009"),
    then the pk."""
    head, _sep, tail = (number or "").rpartition("-")
    return (head, int(tail), pk) if tail.isdigit() else (number or "", 0, pk)


def drawn_rooms(event: Event) -> list[Room]:
    return list(event.rooms.exclude(state=RoomState.SETUP))


def _refuse_once_drawn(event: Event, what: str) -> None:
    drawn = drawn_rooms(event)
    if drawn:
        raise ServiceError(
            _("%(what)s cannot change any more: the order of %(rooms)s is drawn.")
            % {"what": what, "rooms": "、".join(room.name for room in drawn)},
            code="drawn",
        )


# --- The event's settings ---------------------------------------------------------------------


def save_event(
    *, edition: Edition, by: User, fields: dict[str, Any], ip: str | None = None
) -> Event:
    """Create or change the edition's event. `fields` are EVENT_FIELDS from the form."""
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise ValueError(f"not event fields: {sorted(unknown)}")
    with transaction.atomic():
        event = Event.objects.select_for_update().filter(edition=edition).first()
        created = event is None
        if event is None:
            event = Event(edition=edition)
        changed = {k: v for k, v in fields.items() if created or getattr(event, k) != v}
        for key, value in fields.items():
            setattr(event, key, value)
        event.full_clean()
        event.save()
        record(
            action="presentations.event_saved",
            actor=by,
            target=event,
            data={
                "created": created,
                "fields": {k: _journal_value(v) for k, v in sorted(changed.items())},
            },
            ip=ip,
        )
    return event


# --- Who presents -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Selected:
    presenting: int
    not_presenting: int


def _decisions(event: Event) -> dict[int, str]:
    """application pk -> "" (presents) or why not, over the edition's scored applications."""
    rows = [
        row
        for row in edition_results(event.edition).rows
        if row.application.state == ApplicationState.SCORED
    ]
    decisions: dict[int, str] = {}
    for row in rows:
        pk = row.application.pk
        if event.selection == Selection.ALL_SCORED:
            decisions[pk] = ""
        elif row.score is None:
            decisions[pk] = _("no materials score")
        elif event.selection == Selection.BEST_N:
            count = event.selection_count or 0
            # Equal scores share a rank (1 1 3): a tie at the boundary presents together.
            decisions[pk] = (
                ""
                if row.rank is not None and row.rank <= count
                else _("rank %(rank)s, not among the best %(n)s") % {"rank": row.rank, "n": count}
            )
        else:
            floor = event.selection_min_score or Decimal(0)
            decisions[pk] = (
                ""
                if row.score >= floor
                else _("materials score %(score)s below %(floor)s")
                % {"score": f"{row.score:.2f}", "floor": f"{floor:.2f}"}
            )
    return decisions


def select_presenters(*, event: Event, by: User, ip: str | None = None) -> Selected:
    """Make the event's slots follow its selection rule: a slot per scored application, those
    that do not present with their reason (and in no room). Refused once any room is drawn."""
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        _refuse_once_drawn(event, _("Who presents"))
        decisions = _decisions(event)
        slots = {slot.application_id: slot for slot in Slot.objects.filter(event=event)}
        stale = [slot.pk for pk, slot in slots.items() if pk not in decisions]
        Recusal.objects.filter(slot_id__in=stale).delete()
        Slot.objects.filter(pk__in=stale).delete()
        for pk, reason in sorted(decisions.items()):
            slot = slots.get(pk) or Slot(event=event, application_id=pk)
            slot.presenting = not reason
            slot.not_presenting_reason = reason
            if reason:
                slot.room = None
            slot.full_clean(validate_constraints=False)
            slot.save()
        present = sum(1 for reason in decisions.values() if not reason)
        Recusal.objects.filter(slot__event=event, slot__room__isnull=True).delete()
        record(
            action="presentations.selection_saved",
            actor=by,
            target=event,
            data={
                "rule": event.selection,
                "count": event.selection_count,
                "min_score": _journal_value(event.selection_min_score),
                "presenting": present,
                "not_presenting": len(decisions) - present,
                "removed": len(stale),
            },
            ip=ip,
        )
    return Selected(present, len(decisions) - present)


# --- Rooms and secretaries ---------------------------------------------------------------------


def _check_secretary(event: Event, room: Room | None, secretary: User | None) -> None:
    if secretary is None:
        return
    if secretary.role != Role.SECRETARY or not secretary.is_active:
        raise ServiceError(
            _("%(user)s is not an active room secretary account.")
            % {"user": secretary.display_name},
            field_errors={"secretary": _("Choose a room secretary account.")},
        )
    other = event.rooms.filter(secretary=secretary)
    if room is not None and room.pk:
        other = other.exclude(pk=room.pk)
    taken = other.first()
    if taken is not None:
        message = _("%(user)s is already the secretary of %(room)s.") % {
            "user": secretary.display_name,
            "room": taken.name,
        }
        raise ServiceError(message, field_errors={"secretary": message})


def _refuse_unless_setup(room: Room, what: str) -> None:
    if room.state != RoomState.SETUP:
        raise ServiceError(
            _("%(what)s: the order of %(room)s is already drawn.")
            % {"what": what, "room": room.name},
            code="drawn",
        )


def save_room(
    *,
    event: Event,
    by: User,
    fields: dict[str, Any],
    room: Room | None = None,
    ip: str | None = None,
) -> Room:
    """Add a room (numbered after the last) or change one that is not drawn yet."""
    with transaction.atomic():
        if room is not None:
            room = Room.objects.select_for_update().get(pk=room.pk, event=event)
            _refuse_unless_setup(room, _("The room cannot change"))
        else:
            last = event.rooms.aggregate(last=Max("position"))["last"] or 0
            room = Room(event=event, position=last + 1)
        _check_secretary(event, room, fields.get("secretary"))
        created = room.pk is None
        for key, value in fields.items():
            if key not in ROOM_FIELDS:
                raise ValueError(f"not a room field: {key}")
            setattr(room, key, value)
        room.full_clean()
        room.save()
        record(
            action="presentations.room_created" if created else "presentations.room_updated",
            actor=by,
            target=room,
            data={k: _journal_value(v) for k, v in sorted(fields.items())},
            ip=ip,
        )
    return room


def delete_room(*, room: Room, by: User, ip: str | None = None) -> None:
    """Remove a room that was never drawn; its teams wait for a room again."""
    with transaction.atomic():
        room = Room.objects.select_for_update().select_related("event").get(pk=room.pk)
        _refuse_unless_setup(room, _("The room cannot be deleted"))
        if room.draws.exists():
            raise ServiceError(
                _("%(room)s has a recorded draw; it stays on record and cannot be deleted.")
                % {"room": room.name},
                code="drawn",
            )
        teams = Slot.objects.filter(room=room)
        Recusal.objects.filter(slot__in=teams).delete()
        moved = teams.update(room=None)
        record(
            action="presentations.room_deleted",
            actor=by,
            target=room.event,
            data={"room": room.pk, "name": room.name, "teams_unassigned": moved},
            ip=ip,
        )
        room.delete()


def create_secretary(
    *,
    by: User,
    username: str,
    full_name: str,
    email: str,
    password: str,
    ip: str | None = None,
) -> User:
    """A room secretary account, made by the admin on the rooms page."""
    with transaction.atomic():
        user = account_services.create_user(
            by=by,
            username=username,
            password=password,
            role=Role.SECRETARY,
            full_name=full_name,
            email=email,
            ip=ip,
        )
        record(action="presentations.secretary_created", actor=by, target=user, ip=ip)
    return user


# --- Distribution over the rooms ---------------------------------------------------------------


def balanced_counts(teams: int, rooms: int) -> list[int]:
    """How many teams each room takes: the first `teams mod rooms` rooms one more."""
    base, extra = divmod(teams, rooms)
    return [base + (1 if index < extra else 0) for index in range(rooms)]


def plan_distribution(
    teams: list[tuple[int, str, str | None]], rooms: int, *, by_industry: bool
) -> list[list[int]]:
    """Pure: the teams (application pk, industry, recommendation number) as `rooms` lists whose
    sizes differ by at most one.

    Without grouping the teams, in recommendation-number order, are dealt round the rooms like
    cards, so that no room gathers one recommender's numbers. With grouping, the industries,
    largest first (ties by name), are laid end to end and cut into the balanced counts: an
    industry stays in one room unless the counts force it over the next."""
    ordered = sorted(teams, key=lambda team: number_key(team[2], team[0]))
    counts = balanced_counts(len(ordered), rooms)
    if not by_industry:
        dealt: list[list[int]] = [[] for _ in range(rooms)]
        for index, team in enumerate(ordered):
            dealt[index % rooms].append(team[0])
        return dealt
    groups: dict[str, list[int]] = defaultdict(list)
    for pk, industry, _number in ordered:
        groups[industry].append(pk)
    laid = list(
        itertools.chain.from_iterable(
            groups[name] for name in sorted(groups, key=lambda name: (-len(groups[name]), name))
        )
    )
    cut: list[list[int]] = []
    start = 0
    for count in counts:
        cut.append(laid[start : start + count])
        start += count
    return cut


def presenting_slots(event: Event) -> list[Slot]:
    return sorted(
        Slot.objects.filter(event=event, presenting=True).select_related(
            "application__team__enterprise", "room"
        ),
        key=lambda slot: number_key(slot.application.recommendation_number, slot.application_id),
    )


def distribute(*, event: Event, by: User, ip: str | None = None) -> dict[str, int]:
    """Put every presenting team into a room, counts balanced (optionally by industry).
    Refused once any room is drawn; teams moved by hand earlier are dealt again."""
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        _refuse_once_drawn(event, _("The distribution"))
        rooms = list(event.rooms.order_by("position"))
        if not rooms:
            raise ServiceError(_("Add a room first."), code="no_rooms")
        slots = presenting_slots(event)
        if not slots:
            raise ServiceError(
                _("No team presents yet: decide who presents first."), code="no_teams"
            )
        plan = plan_distribution(
            [
                (
                    slot.application_id,
                    slot.application.team.enterprise.industry,
                    slot.application.recommendation_number,
                )
                for slot in slots
            ],
            len(rooms),
            by_industry=event.group_by_industry,
        )
        by_application = {slot.application_id: slot for slot in slots}
        for room, members in zip(rooms, plan, strict=True):
            Slot.objects.filter(pk__in=[by_application[pk].pk for pk in members]).update(room=room)
        counts = {room.name: len(members) for room, members in zip(rooms, plan, strict=True)}
        for room in rooms:
            sync_recusals(room)
        record(
            action="presentations.teams_distributed",
            actor=by,
            target=event,
            data={"by_industry": event.group_by_industry, "counts": counts},
            ip=ip,
        )
    return counts


def move_slot(*, slot: Slot, room: Room, by: User, ip: str | None = None) -> Slot:
    """Move a presenting team to another room by hand, while neither room is drawn. The new
    room's panel must still leave the team enough scorers."""
    with transaction.atomic():
        slot = (
            Slot.objects.select_for_update(of=("self",))
            .select_related("room", "application")
            .get(pk=slot.pk)
        )
        room = Room.objects.select_for_update().get(pk=room.pk)
        if slot.event_id != room.event_id or not slot.presenting:
            raise ServiceError(_("Only a presenting team of this event can move."))
        if slot.room_id == room.pk:
            raise ServiceError(_("The team is already in %(room)s.") % {"room": room.name})
        before = slot.room
        for changed in (before, room):
            if changed is not None:
                _refuse_unless_setup(changed, _("The team cannot move"))
        slot.room = room
        slot.save(update_fields=["room"])
        for changed in (before, room):
            if changed is not None:
                sync_recusals(changed)
        check_scorers(room)
        record(
            action="presentations.team_moved",
            actor=by,
            target=slot.application,
            data={"from": before.pk if before else None, "to": room.pk},
            ip=ip,
        )
    return slot


def room_counts(event: Event) -> Counter[int | None]:
    return Counter(
        Slot.objects.filter(event=event, presenting=True).values_list("room_id", flat=True)
    )
