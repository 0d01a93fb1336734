"""The room console: the room's secretary (or the admin) runs the room from a laptop or a phone —
the team on stage and the next, its registered PPT and the file's SHA-256, the stage timer, the
panel's sheets, absent and to-the-end, the next team, the blank sheets, closing the room."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.applications.services import open_document
from banzu.audit.services import client_ip
from banzu.core.access import deny
from banzu.core.responses import attachment_response, download_response
from banzu.core.service_calls import run_service
from banzu.presentations import live, printing, selectors, timer
from banzu.presentations.changes import not_modified, shown_version
from banzu.presentations.enums import RoomState, SlotState
from banzu.presentations.models import Room, Slot
from banzu.presentations.permissions import get_room_for_staff_or_404, staff_unchanged


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=200,
        error_messages={"required": gettext_lazy("Please give a reason.")},
    )


class GoOnForm(forms.Form):
    """The next team, or closing the room: a confirmation and its reason when sheets are
    missing."""

    confirm = forms.BooleanField(required=False)
    reason = forms.CharField(max_length=2000, required=False)


def scoring_url(room: Room) -> str:
    """The experts' scoring page of the room (its QR code is on the console and the screen)."""
    try:
        return reverse("presentations:score", args=[room.pk])
    except NoReverseMatch:
        return f"/event/rooms/{room.pk}/score/"


@cache
def _qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, dark="#111", light="#fff"))


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code of `url` (segno writes only its own markup; no style attribute)."""
    return mark_safe(_qr_svg(url))  # noqa: S308 - segno's SVG of our own URL


def _presentation(slot: Slot | None) -> Document | None:
    if slot is None:
        return None
    return (
        Document.objects.filter(
            application_id=slot.application_id,
            kind=DocumentKind.PRESENTATION,
            superseded_at__isnull=True,
        )
        .only("pk", "original_name", "sha256", "size", "uploaded_at", "application_id")
        .first()
    )


def _slot_or_404(request: HttpRequest, room: Room, slot_pk: int) -> Slot:
    slot = (
        Slot.objects.filter(room=room, pk=slot_pk, presenting=True)
        .select_related("application__team", "room")
        .first()
    )
    if slot is None:
        raise deny(request, "presentation slot", slot_pk)
    return slot


def _status_context(room: Room, now: dt.datetime) -> dict[str, Any]:
    current = room.current
    context: dict[str, Any] = {
        "room": room,
        "current": current,
        "submissions": live.submissions(current) if current is not None else [],
        "timer": live.timer_view(current, room.event, now),
    }
    if current is not None:
        subs = context["submissions"]
        context["submitted"] = sum(1 for s in subs if s.submitted)
        context["expected"] = sum(1 for s in subs if not s.recused)
    return context


@login_required
@require_GET
def console(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    event = room.event
    now = timezone.now()
    order = list(selectors.room_order(room))
    upcoming = selectors.next_slot(room)
    current = room.current
    screen = request.build_absolute_uri(reverse("presentations:screen", args=[room.screen_token]))
    scoring = request.build_absolute_uri(scoring_url(room))
    planned = {
        slot.pk: selectors.planned_start(room, number, event)
        for number, slot in enumerate(order, start=1)
    }
    return render(
        request,
        "presentations/live/console.html",
        {
            **_status_context(room, now),
            "event": event,
            "order": [(slot, planned[slot.pk]) for slot in order],
            "upcoming": upcoming,
            "current_ppt": _presentation(current),
            "upcoming_ppt": _presentation(upcoming),
            "counts": live.room_counts(room),
            "screen_url": screen,
            "scoring_url": scoring,
            "scoring_qr": qr_svg(scoring),
            "running": room.state in (RoomState.DRAWN, RoomState.RUNNING),
            "closed": room.state == RoomState.CLOSED,
            "missing": live.sheets_missing(current)
            if current is not None and current.state == SlotState.PRESENTING
            else [],
        },
    )


@login_required
@require_GET
def console_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The part of the console that changes by itself (polled): the timer and the sheets."""
    version = shown_version(request)
    if version is not None and staff_unchanged(request.user, pk, version):
        return not_modified()
    room = get_room_for_staff_or_404(request, pk)
    return render(
        request, "presentations/live/_console_status.html", _status_context(room, timezone.now())
    )


def _back(room: Room) -> HttpResponse:
    return redirect("presentations:console", pk=room.pk)


@login_required
@require_POST
def timer_move(request: AuthenticatedHttpRequest, pk: int, kind: str) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    try:
        event_kind = timer.EventKind(kind)
    except ValueError:
        raise deny(request, "timer move", kind) from None
    current = room.current
    if current is None:
        raise deny(request, "presentation slot", "current")
    labels = {
        timer.EventKind.START: _("Timer started."),
        timer.EventKind.PAUSE: _("Timer paused."),
        timer.EventKind.RESUME: _("Timer resumed."),
        timer.EventKind.STOP: _("Timer stopped."),
    }
    run_service(
        request,
        lambda: live.timer_event(
            slot=current, kind=event_kind, by=request.user, ip=client_ip(request)
        ),
        success=labels[event_kind],
    )
    return _back(room)


@login_required
@require_POST
def advance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    form = GoOnForm(request.POST)
    form.is_valid()
    data = form.cleaned_data

    def success(opened: Slot | None) -> str:
        if opened is None:
            return _("Every team has presented. Close the room when the panel is done.")
        return _("Now on stage: %(team)s.") % {"team": opened.application.team.name}

    run_service(
        request,
        lambda: live.open_next(
            room=room,
            by=request.user,
            confirm=bool(data.get("confirm")),
            reason=str(data.get("reason") or ""),
            ip=client_ip(request),
        ),
        success=success,
    )
    return _back(room)


@login_required
@require_POST
def close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    form = GoOnForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    run_service(
        request,
        lambda: live.close_room(
            room=room,
            by=request.user,
            confirm=bool(data.get("confirm")),
            reason=str(data.get("reason") or ""),
            ip=client_ip(request),
        ),
        success=_("The room is closed; its teams' presentation scores are recorded."),
    )
    return _back(room)


@login_required
@require_POST
def absent(request: AuthenticatedHttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    slot = _slot_or_404(request, room, slot_pk)
    form = ReasonForm(request.POST)
    run_service(
        request,
        lambda: live.mark_absent(
            slot=slot,
            by=request.user,
            reason=form.cleaned_data["reason"] if form.is_valid() else "",
            ip=client_ip(request),
        ),
        success=_("%(team)s is marked absent.") % {"team": slot.application.team.name},
    )
    return _back(room)


@login_required
@require_POST
def to_end(request: AuthenticatedHttpRequest, pk: int, slot_pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    slot = _slot_or_404(request, room, slot_pk)
    run_service(
        request,
        lambda: live.move_to_end(slot=slot, by=request.user, ip=client_ip(request)),
        success=_("%(team)s now presents last.") % {"team": slot.application.team.name},
    )
    return _back(room)


@login_required
@require_GET
def presentation_file(request: AuthenticatedHttpRequest, pk: int, slot_pk: int) -> FileResponse:
    """The team's PPT as uploaded at registration (the same stored file, journalled as a
    download), for the room's staff only."""
    room = get_room_for_staff_or_404(request, pk)
    slot = _slot_or_404(request, room, slot_pk)
    document = _presentation(slot)
    if document is None:
        raise deny(request, "presentation file", slot_pk)
    path = open_document(document=document, user=request.user, ip=client_ip(request))
    return download_response(
        path,
        filename=document.original_name,
        content_type="application/vnd.openxmlformats-officedocument.presentationml.presentation",
    )


@login_required
@require_GET
def blank_sheets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    rendered = printing.blank_sheets(room)
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
