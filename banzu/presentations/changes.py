"""What lets a polling page skip its work: every change a room's live pages show (the console,
the big screen, the experts' phones) counts up the room's `version`, and a poll that names the
version it already shows is answered 204 No Content, which htmx leaves in place.

The version counts up whenever a row those pages read is saved or deleted — the room itself,
its slots (opened, finished, absent, moved, drawn), their timer marks, the sheets (stored,
returned, typed from paper), the panel and its recusals — by the receivers below, in the same
transaction as the change. Receivers rather than calls in each service, because a change made
anywhere (a service, the demo, a data fix in the shell) must never leave a screen showing old
data: this is the cache invalidation of the polls. A version bump is a queryset update, which
sends no signal, so it cannot loop. The stage timer keeps running in the browser between
changes (static/presentations/live.js), from the reading of the last change.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse

from banzu.core.params import int_param
from banzu.presentations.models import (
    PanelMember,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
    TimerMark,
)


def room_changed(room_id: int | None) -> None:
    if room_id is not None:
        Room.objects.filter(pk=room_id).update(version=F("version") + 1)


def shown_version(request: HttpRequest) -> int | None:
    """The version the polling page shows (its ?v=), or None for a first or plain request."""
    return int_param(request.GET.get("v"), minimum=0)


def not_modified() -> HttpResponse:
    """The poll's answer when nothing changed: no body, htmx swaps nothing."""
    response = HttpResponse(status=204)
    response["Cache-Control"] = "no-store"
    return response


def _room_of(instance: Any) -> int | None:
    if isinstance(instance, Room):
        return int(instance.pk)
    if isinstance(instance, Slot | PanelMember):
        return instance.room_id
    if isinstance(instance, TimerMark | PresentationSheet):
        return Slot.objects.filter(pk=instance.slot_id).values_list("room_id", flat=True).first()
    if isinstance(instance, Recusal):
        return (
            PanelMember.objects.filter(pk=instance.member_id)
            .values_list("room_id", flat=True)
            .first()
        )
    return None


def _changed(sender: type, instance: Any, **_: Any) -> None:
    room_changed(_room_of(instance))


def connect() -> None:
    """Called once from the app's ready()."""
    for model in (Room, Slot, TimerMark, PresentationSheet, PanelMember, Recusal):
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"room_changed_save_{model.__name__}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"room_changed_delete_{model.__name__}"
        )
