"""Who may reach what of the presentation event (the one policy, banzu.core.access).

- The admin reaches every room.
- A room secretary reaches only the room the admin bound them to (its console, its printouts).
- An expert reaches only the room whose panel they sit on, and a team's sheet only when they are
  not recused from it.
- The big screen is reached by its unguessable token alone, and only while the room is open.
- Outside a user's scope a room does not exist for them (404); every refusal is journalled.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from banzu.core.access import deny, is_admin, is_expert, is_secretary
from banzu.core.params import int_param
from banzu.presentations.enums import RoomState
from banzu.presentations.models import PanelMember, Room

ROOM_RELATED = ("event__edition", "current__application__team__enterprise")


def get_room_for_staff_or_404(request: HttpRequest, pk: Any) -> Room:
    """The room's console: the admin, or the room's own secretary."""
    user = request.user
    room = None
    if is_admin(user):
        room = Room.objects.select_related(*ROOM_RELATED).filter(pk=pk).first()
    elif is_secretary(user):
        room = (
            Room.objects.select_related(*ROOM_RELATED).filter(pk=pk, secretary_id=user.pk).first()
        )
    if room is None:
        raise deny(request, "presentation room", pk)
    return room


def get_room_for_screen_or_404(request: HttpRequest, token: str) -> Room:
    """The big screen: the token is the key; a closed room's screen is gone."""
    room = (
        Room.objects.select_related(*ROOM_RELATED)
        .filter(screen_token=token)
        .exclude(state=RoomState.CLOSED)
        .first()
        if token
        else None
    )
    if room is None:
        raise deny(request, "presentation screen", "token")
    return room


def get_seat_or_404(request: HttpRequest, room_pk: Any) -> PanelMember:
    """The requesting expert's seat on the room's panel."""
    user = request.user
    seat = None
    pk = int_param(room_pk)  # a URL's number past 64 bits is no room, not a 500
    if is_expert(user) and pk is not None:
        seat = (
            PanelMember.objects.select_related(*(f"room__{name}" for name in ROOM_RELATED))
            .filter(room_id=pk, expert_id=user.pk)
            .first()
        )
    if seat is None:
        raise deny(request, "presentation panel seat", room_pk)
    return seat


def staff_actors(user: Any, room: Room) -> set[str]:
    """The workflow actors the user is for the room's moves."""
    actors: set[str] = set()
    if is_admin(user):
        actors.add("admin")
    if is_secretary(user) and room.secretary_id == getattr(user, "pk", None):
        actors.add("secretary")
    if is_expert(user) and room.chair_id == getattr(user, "pk", None):
        actors.add("chair")
    return actors


# The polls' fast path (banzu.presentations.changes): "is the version this page shows still the
# room's?", asked within the same scope as the getters above, in one small query. Anything else
# (out of scope, closed, changed) takes the full path, which refuses or renders.


def screen_unchanged(token: str, version: int) -> bool:
    return (
        Room.objects.filter(screen_token=token, version=version)
        .exclude(state=RoomState.CLOSED)
        .exists()
    )


def seat_unchanged(user: Any, room_pk: Any, version: int) -> bool:
    return is_expert(user) and (
        PanelMember.objects.filter(
            room_id=room_pk, expert_id=user.pk, room__version=version
        ).exists()
    )


def staff_unchanged(user: Any, room_pk: Any, version: int) -> bool:
    rooms = Room.objects.filter(pk=room_pk, version=version)
    if is_admin(user):
        return rooms.exists()
    if is_secretary(user):
        return rooms.filter(secretary_id=user.pk).exists()
    return False
