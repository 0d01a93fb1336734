"""The recorded draw (抽签) of a room's order, through the pure core banzu.presentations.draw.

A draw stores its record (algorithm, seed, input hash, the canonical team list and the order)
and sets each team's drawn position; the room moves set up → drawn through the one transition
function. Drawing again needs a reason and keeps every earlier record; only the latest one of a
drawn room is in force, and `manage.py verify_draw` re-runs it against the room's teams.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import outbox
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.presentations import draw
from banzu.presentations.enums import RoomState
from banzu.presentations.models import DrawRecord, Room, Slot
from banzu.presentations.permissions import staff_actors
from banzu.presentations.selectors import planned_start
from banzu.presentations.workflow import ROOM

actions.register("presentations.draw_mailed")

IN_FORCE_STATES = (RoomState.DRAWN, RoomState.RUNNING, RoomState.CLOSED)


def room_teams(room: Room) -> list[draw.Team]:
    """The draw's input: the room's presenting teams as (application pk, recommendation number).
    The draw and its verification read the list through this one function."""
    rows = Slot.objects.filter(room=room, presenting=True).values_list(
        "application_id", "application__recommendation_number"
    )
    return [draw.Team(id=pk, number=number or "") for pk, number in rows]


def latest_record(room: Room) -> DrawRecord | None:
    return DrawRecord.objects.filter(room=room).order_by("-number").first()


def _record_draw(room: Room, move: Move, by: User, seed: str | None) -> None:
    teams = room_teams(room)
    if not teams:
        raise ServiceError(_("%(room)s has no team to draw.") % {"room": room.name}, code="empty")
    result = draw.draw(teams, seed=seed)
    number = (room.draws.aggregate(last=Max("number"))["last"] or 0) + 1
    DrawRecord.objects.create(
        room=room,
        number=number,
        algorithm=result.algorithm,
        seed=result.seed,
        input_sha256=result.input_sha256,
        record=draw.to_json(result),
        reason=move.reason if number > 1 else "",
        drawn_by=by,
    )
    slots = {slot.application_id: slot for slot in Slot.objects.filter(room=room, presenting=True)}
    # Two steps: positions are unique within the room, so clear them before setting them.
    Slot.objects.filter(room=room).update(position=None, drawn_position=None)
    for position, application_id in enumerate(result.order, start=1):
        slot = slots[application_id]
        slot.position = slot.drawn_position = position
        slot.save(update_fields=["position", "drawn_position"])
    move.data.update(
        {
            "draw": number,
            "algorithm": result.algorithm,
            "seed": result.seed,
            "input_sha256": result.input_sha256,
            "teams": len(teams),
        }
    )
    transaction.on_commit(lambda: mail_positions(room.pk))


def draw_room(
    *, room: Room, by: User, reason: str = "", seed: str | None = None, ip: str | None = None
) -> DrawRecord:
    """Draw the order of a room being set up. A room drawn before (and taken back to set up)
    needs a reason; `seed` is for tests and demos, the service draws 32 fresh bytes without."""
    if DrawRecord.objects.filter(room=room).exists() and not reason.strip():
        raise ServiceError(
            _("%(room)s was drawn before: give a reason for drawing again.") % {"room": room.name},
            code="reason",
        )
    apply(
        ROOM,
        room,
        target=RoomState.DRAWN,
        actor=by,
        actors=lambda locked: staff_actors(by, locked),
        reason=reason,
        ip=ip,
        related=("event__edition",),
        after=lambda locked, move: _record_draw(locked, move, by, seed),
    )
    drawn = latest_record(room)
    assert drawn is not None
    return drawn


def _clear_positions(room: Room, _move: Move) -> None:
    Slot.objects.filter(room=room).update(position=None, drawn_position=None)


def undraw_room(*, room: Room, by: User, reason: str, ip: str | None = None) -> Room:
    """Take a drawn room back to set up (teams and panel can change again); the record stays."""
    return apply(
        ROOM,
        room,
        target=RoomState.SETUP,
        actor=by,
        actors=lambda locked: staff_actors(by, locked),
        reason=reason,
        ip=ip,
        after=_clear_positions,
    )


def redraw_room(
    *, room: Room, by: User, reason: str, seed: str | None = None, ip: str | None = None
) -> DrawRecord:
    """Draw a drawn room again, at once: back to set up and drawn anew, both with the reason."""
    if not reason.strip():
        raise ServiceError(_("Please give a reason for drawing again."), code="reason")
    if room.state != RoomState.DRAWN:
        raise ServiceError(
            _("Only a drawn room that has not started can be drawn again."), code="not_allowed"
        )
    with transaction.atomic():
        undraw_room(room=room, by=by, reason=reason, ip=ip)
        return draw_room(room=room, by=by, reason=reason, seed=seed, ip=ip)


def mail_positions(room_pk: int) -> int:
    """Tell every presenting team of the room its room, place, position and planned time.
    Runs after the draw's commit (the outbox then queues each mail)."""
    room = Room.objects.select_related("event").get(pk=room_pk)
    slots = list(
        Slot.objects.filter(room=room, presenting=True, position__isnull=False)
        .select_related("application__team")
        .order_by("position")
    )
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for slot in slots:
            assert slot.position is not None
            starts = timezone.localtime(planned_start(room, slot.position, room.event))
            recipients = list(
                User.objects.filter(
                    enterprise_id=slot.application.team.enterprise_id, is_active=True
                ).values_list("email", flat=True)
            )
            values = {
                "team": slot.application.team.name,
                "room": room.name,
                "place": room.place or room.event.venue,
                "venue": room.event.venue,
                "position": slot.position,
                "time": formats.date_format(starts, "Y-m-d H:i"),
            }
            subject = (
                _("Presentation order drawn: %(team)s, number %(position)s in %(room)s") % values
            )
            body = (
                _(
                    "The order of %(room)s has been drawn.\n\n"
                    "Team: %(team)s\nRoom: %(room)s, %(place)s (%(venue)s)\n"
                    "Position: %(position)s\nPlanned start: about %(time)s\n\n"
                    "The time is approximate: it moves with the teams before yours. Please be "
                    "in the room well before it, with the PPT you uploaded at registration."
                )
                % values
            )
            outbox.queue(recipients, subject, body)
            sent += 1
    record(
        action="presentations.draw_mailed",
        actor=None,
        target=room,
        data={"teams": sent},
    )
    return sent
