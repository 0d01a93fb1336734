"""Re-run every recorded draw in force against its room's current teams.

    manage.py verify_draw [--room PK]

A draw is in force for a room that is drawn, running or closed: its latest record. The record is
read back (banzu.presentations.draw.from_json), checked against the stored columns, re-run over
the room's teams as they are now, and the teams' drawn positions are compared with its order.
Prints OK per room with the seed and the input hash; any difference fails the command, naming it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banzu.presentations import draw
from banzu.presentations.models import DrawRecord, Room, Slot
from banzu.presentations.setup_draw import IN_FORCE_STATES, latest_record, room_teams


def check_room(room: Room) -> DrawRecord:
    """The room's draw in force, re-run; raises draw.DrawMismatch naming what differs."""
    stored = latest_record(room)
    if stored is None:
        raise draw.DrawMismatch("record", "the room is drawn but has no recorded draw")
    try:
        record = draw.from_json(stored.record)
    except ValueError as error:
        raise draw.DrawMismatch(
            "record", f"draw {stored.number} does not read back: {error}"
        ) from error
    for column in ("algorithm", "seed", "input_sha256"):
        if getattr(record, column) != getattr(stored, column):
            raise draw.DrawMismatch(
                column,
                f"draw {stored.number}: the record says {getattr(record, column)!r}, "
                f"the column {getattr(stored, column)!r}",
            )
    draw.verify(record, room_teams(room))
    drawn = dict(
        Slot.objects.filter(room=room, presenting=True).values_list(
            "application_id", "drawn_position"
        )
    )
    expected = {team_id: position for position, team_id in enumerate(record.order, start=1)}
    if drawn != expected:
        moved = sorted(pk for pk in expected if drawn.get(pk) != expected[pk])
        raise draw.DrawMismatch(
            "drawn_position",
            f"draw {stored.number}: the drawn positions of applications {moved} differ from "
            "the recorded order",
        )
    return stored


class Command(BaseCommand):
    help = "Re-run every recorded draw in force and compare it with the rooms' teams."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--room", type=int, help="only this room (its pk)")

    def handle(self, *args: Any, **options: Any) -> None:
        rooms = Room.objects.filter(state__in=IN_FORCE_STATES).select_related("event__edition")
        if options.get("room") is not None:
            rooms = Room.objects.filter(pk=options["room"]).select_related("event__edition")
            if not rooms.exists():
                raise CommandError(f"No room {options['room']}.")
            if rooms[0].state not in IN_FORCE_STATES:
                raise CommandError(f"Room {options['room']} ({rooms[0].name}) is not drawn.")
        failures = []
        checked = 0
        for room in rooms.order_by("event__edition__year", "position"):
            label = f"{room.event.edition.year} {room.name} (room {room.pk})"
            try:
                stored = check_room(room)
            except draw.DrawMismatch as error:
                failures.append(f"{label}: {error}")
                self.stderr.write(f"FAIL {label}: {error}")
                continue
            checked += 1
            self.stdout.write(
                f"OK {label}: draw {stored.number}, {stored.algorithm}, seed {stored.seed}, "
                f"input sha256 {stored.input_sha256}"
            )
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(failures) + checked} recorded draws do not reproduce:\n"
                + "\n".join(failures)
            )
        if not checked:
            self.stdout.write("No drawn room.")
