"""The applicant's home page shows their drawn presentation slot: the room, its place, the
position and the planned time (answered through banzu.core.hooks.dashboard_cards, since the
applications app below may not import the event)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from banzu.core import hooks
from banzu.core.access import is_applicant
from banzu.presentations.enums import RoomState
from banzu.presentations.models import Slot
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
