"""The event's cards on the home page (answered through banzu.core.hooks.dashboard_cards, since
the applications app below may not import the event): the applicant's drawn presentation slot
(the room, its place, the position and the planned time), and the room secretary's room (its
state, the team on stage and the way to its console)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from banzu.core import hooks
from banzu.core.access import is_applicant, is_secretary
from banzu.presentations.enums import RoomState, SlotState
from banzu.presentations.models import Room, Slot
from banzu.presentations.selectors import planned_start


def drawn_slots(user: Any) -> list[Slot]:
    """The presenting slots of the user's enterprise whose room is drawn and not yet closed."""
    if not is_applicant(user) or not user.enterprise_id:
        return []
    return list(
        Slot.objects.filter(
            application__team__enterprise_id=user.enterprise_id,
            presenting=True,
            position__isnull=False,
            room__state__in=(RoomState.DRAWN, RoomState.RUNNING),
        )
        .select_related("room", "event", "application__team")
        .order_by("room__starts_at", "position")
    )


@receiver(hooks.dashboard_cards, dispatch_uid="presentations.applicant_slot")
def applicant_slot_card(sender: type, request: Any, user: Any, **kwargs: Any) -> SafeString | None:
    slots = drawn_slots(user)
    if not slots:
        return None
    placed = [
        (slot, timezone.localtime(planned_start(slot.room, slot.position, slot.event)))
        for slot in slots
        if slot.room is not None and slot.position is not None
    ]
    return render_to_string(
        "presentations/setup/_applicant_card.html", {"slots": placed}, request=request
    )


def secretary_rooms(user: Any) -> list[Room]:
    """The rooms the admin bound the secretary to (one per event), the newest edition first,
    each with its teams counted (``done``, ``absent``, ``total``) in the same query."""
    if not is_secretary(user):
        return []
    presenting = Q(slots__presenting=True)
    return list(
        Room.objects.filter(secretary_id=user.pk)
        .select_related("event__edition", "current__application__team__enterprise")
        .annotate(
            total=Count("slots", filter=presenting),
            done=Count("slots", filter=presenting & Q(slots__state=SlotState.DONE)),
            absent=Count("slots", filter=presenting & Q(slots__state=SlotState.ABSENT)),
        )
        .order_by("-event__edition__year", "position")
    )


@receiver(hooks.dashboard_cards, dispatch_uid="presentations.secretary_room")
def secretary_room_card(sender: type, request: Any, user: Any, **kwargs: Any) -> SafeString | None:
    """The secretary's way to their console; or, plainly, that no room is bound to them yet."""
    if not is_secretary(user):
        return None
    rooms = [(room, timezone.localtime(room.starts_at)) for room in secretary_rooms(user)]
    return render_to_string(
        "presentations/live/_secretary_card.html", {"rooms": rooms}, request=request
    )
