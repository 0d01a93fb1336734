"""The expert's phone (the room's scoring page, its polled status and the submission, as JSON
for the page's script or as a plain form without it) and the chair's page of the room's sheets
with the return for correction. Rooms come through banzu.presentations.permissions; a team
outside the expert's scope is refused through deny() (404, journalled)."""

from __future__ import annotations

import contextlib
import json
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import deny, is_admin, is_expert, role_required
from banzu.core.errors import ServiceError
from banzu.core.params import int_param
from banzu.core.service_calls import run_with_reason
from banzu.editions.resolver import edition_for
from banzu.presentations import sheet_reads, sheets
from banzu.presentations.changes import not_modified, shown_version
from banzu.presentations.enums import SheetState
from banzu.presentations.forms_scoring import ReturnForm, SheetPostForm
from banzu.presentations.models import PanelMember, PresentationSheet, Room, Slot
from banzu.presentations.permissions import ROOM_RELATED, get_seat_or_404, seat_unchanged

expert_required = role_required(Role.EXPERT, what="presentation scoring")

# Refusals of a submission by the service, as HTTP answers to the page's script.
STATUS_FOR_CODE = {"invalid": 400, "recused": 404, "not_on_panel": 404}


def _slot_for_seat_or_404(request: HttpRequest, seat: PanelMember, raw: Any) -> Slot:
    """A team of the seat's room that the expert is not recused from."""
    text = str(raw or "")
    slot = (
        Slot.objects.select_related("room", "event__edition", "application")
        .filter(pk=int(text), room_id=seat.room_id)
        .exclude(recusals__member=seat)
        .first()
        if text.isdigit()
        else None
    )
    if slot is None:
        raise deny(request, "presentation slot", text[:20])
    return slot


def received_at(sheet: PresentationSheet) -> str:
    return timezone.localtime(sheet.submitted_at).strftime("%H:%M:%S") if sheet.submitted_at else ""


def sheet_body(sheet: PresentationSheet) -> dict[str, Any]:
    """The stored sheet as the page's script reads it; the same body for a repeated key."""
    return {
        "slot": sheet.slot_id,
        "state": sheet.state,
        "version": sheet.version,
        "client_key": str(sheet.client_key) if sheet.client_key else None,
        "items": sheet.items,
        "total": str(sheet.total),
        "comment": sheet.comment,
        "received_at": received_at(sheet),
        "submitted_at": sheet.submitted_at.isoformat() if sheet.submitted_at else None,
        "entered_by": sheet.entered_by.display_name if sheet.entered_by else "",
    }


@expert_required
@require_GET
def score_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The expert's way in from the home page: their room of the edition's event."""
    edition = edition_for(request)
    seats = list(
        PanelMember.objects.filter(room__event__edition=edition, expert=request.user)
        .select_related("room")
        .order_by("room__position")
    )
    if len(seats) == 1:
        return redirect("presentations:score", pk=seats[0].room_id)
    return render(request, "presentations/scoring/home.html", {"seats": seats})


def _page(
    request: AuthenticatedHttpRequest,
    seat: PanelMember,
    *,
    form: SheetPostForm | None = None,
    errors: dict[int, str] | None = None,
    wanted: str | None = None,
    status: int = 200,
) -> HttpResponse:
    wanted = wanted if wanted is not None else request.GET.get("slot")
    view = sheet_reads.expert_view(seat.room, request.user, wanted)
    items = sheet_reads.sheet_items(seat.room)
    if form is None or view.shown is None or form.data.get("slot") != str(view.shown.pk):
        form = SheetPostForm(items=items, initial={"slot": view.shown.pk if view.shown else None})
    stored = sheets.points_by_position(view.sheet) if view.sheet is not None else {}
    typed = form.data if form.is_bound else {}
    errors = errors or {}
    rows = [
        {
            "item": item,
            "name": f"points_{item.position}",
            "value": typed.get(f"points_{item.position}", "")
            if form.is_bound
            else (
                str(stored[item.position]) if item.position in stored and view.correcting else ""
            ),
            "stored": stored.get(item.position),
            "error": errors.get(item.position, ""),
        }
        for item in items
    ]
    typed_total = Decimal(0)
    for row in rows:
        with contextlib.suppress(ArithmeticError):
            typed_total += Decimal(str(row["value"]).replace(",", ".") or "0")
    return render(
        request,
        "presentations/scoring/room.html",
        {
            "room": seat.room,
            "view": view,
            "rows": rows,
            "form": form,
            "comment": typed.get("comment", "")
            if form.is_bound
            else (view.sheet.comment if view.correcting and view.sheet else ""),
            "max_total": sum((item.max_points for item in items), start=Decimal(0)),
            "is_chair": seat.room.chair_id == request.user.pk,
            "received_at": received_at(view.sheet) if view.sheet else "",
            "typed_total": typed_total if typed_total.is_finite() else Decimal(0),
        },
        status=status,
    )


@login_required
@require_GET
def score(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The room's scoring page on the expert's phone."""
    return _page(request, get_seat_or_404(request, pk))


@login_required
@require_GET
def score_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The small partial the page polls: the team now presenting, whether the server has the
    sheet on screen, and the sheets returned for correction."""
    version = shown_version(request)
    if version is not None and seat_unchanged(request.user, pk, version):
        return not_modified()
    seat = get_seat_or_404(request, pk)
    shown = request.GET.get("slot", "")
    view = sheet_reads.expert_view(seat.room, request.user, shown)
    shown_pk = int_param(shown)
    shown_sheet = (
        PresentationSheet.objects.select_related("entered_by")
        .filter(slot_id=shown_pk, slot__room=seat.room, expert=request.user)
        .first()
        if shown_pk
        else None
    )
    correcting = shown_sheet is not None and shown_sheet.state == SheetState.RETURNED
    current_pk = view.current.pk if view.current else None
    return render(
        request,
        "presentations/scoring/_status.html",
        {
            "room": seat.room,
            "view": view,
            "shown_pk": shown_pk,
            "shown_sheet": shown_sheet,
            "moved": current_pk != shown_pk and not correcting,
            "received_at": received_at(shown_sheet) if shown_sheet else "",
        },
    )


def _json_payload(request: HttpRequest) -> tuple[Any, dict[int, str], str, uuid.UUID] | None:
    try:
        body = json.loads(request.body or b"{}")
        items = {
            int(item["position"]): str(item.get("points") or "") for item in body.get("items") or []
        }
        return (
            body.get("slot"),
            items,
            str(body.get("comment") or ""),
            uuid.UUID(str(body["client_key"])),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


@login_required
@require_POST
def score_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The submission: JSON from the page's script (idempotent per client key), or the plain
    form, which redirects back to the page."""
    seat = get_seat_or_404(request, pk)
    if request.content_type == "application/json":
        payload = _json_payload(request)
        if payload is None:
            return JsonResponse({"error": _("The sheet could not be read.")}, status=400)
        raw_slot, points, comment, client_key = payload
        slot = _slot_for_seat_or_404(request, seat, raw_slot)
        try:
            submission = sheets.submit_sheet(
                slot=slot,
                expert=request.user,
                points=points,
                comment=comment,
                client_key=client_key,
                ip=client_ip(request),
            )
        except ServiceError as error:
            return JsonResponse(
                {
                    "error": error.message,
                    "code": error.code,
                    "field_errors": {str(k): v for k, v in error.field_errors.items()},
                },
                status=STATUS_FOR_CODE.get(error.code, 409),
            )
        return JsonResponse(sheet_body(submission.sheet))
    items = sheet_reads.sheet_items(seat.room)
    form = SheetPostForm(request.POST, items=items)
    if not form.is_valid():
        messages.error(request, _("The sheet could not be read; nothing was stored."))
        return redirect(reverse("presentations:score", args=[seat.room_id]))
    slot = _slot_for_seat_or_404(request, seat, form.cleaned_data["slot"])
    try:
        submission = sheets.submit_sheet(
            slot=slot,
            expert=request.user,
            points=form.points(),
            comment=form.cleaned_data["comment"],
            client_key=form.cleaned_data["client_key"],
            ip=client_ip(request),
        )
    except ServiceError as error:
        messages.error(request, error.message)
        if error.code != "invalid":
            return redirect(reverse("presentations:score", args=[seat.room_id]))
        return _page(
            request,
            seat,
            form=form,
            errors=dict(error.field_errors),
            wanted=str(slot.pk),
            status=400,
        )
    messages.success(
        request,
        _("Received by the server at %(time)s.") % {"time": received_at(submission.sheet)},
    )
    url = reverse("presentations:score", args=[seat.room_id])
    return redirect(f"{url}?slot={slot.pk}")


# --- The chair ------------------------------------------------------------------------------


def get_room_for_chair_or_404(request: HttpRequest, pk: Any) -> Room:
    """The chair's page: the room's panel chair, or the admin."""
    user = request.user
    room = Room.objects.select_related(*ROOM_RELATED).filter(pk=pk).first()
    if room is not None and not (
        is_admin(user) or (is_expert(user) and room.chair_id == getattr(user, "pk", None))
    ):
        room = None
    if room is None:
        raise deny(request, "presentation room (chair)", pk)
    return room


@login_required
@require_GET
def chair_sheets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    room = get_room_for_chair_or_404(request, pk)
    return render(
        request,
        "presentations/scoring/chair.html",
        {
            "room": room,
            "rows": sheet_reads.chair_rows(room, request.user),
            "items": sheet_reads.sheet_items(room),
            "form": ReturnForm(),
        },
    )


@login_required
@require_POST
def sheet_return(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The chair (or the admin) returns a submitted sheet to its expert, with a reason."""
    sheet = (
        PresentationSheet.objects.select_related("slot__room", "expert")
        .filter(pk=pk, slot__room__isnull=False)
        .first()
    )
    if sheet is None or sheet.slot.room_id is None:
        raise deny(request, "presentation sheet", pk)
    room = get_room_for_chair_or_404(request, sheet.slot.room_id)
    run_with_reason(
        request,
        ReturnForm(request.POST),
        lambda reason: sheets.return_sheet(
            sheet=sheet, by=request.user, reason=reason, ip=client_ip(request)
        ),
        success=_("The sheet of %(expert)s went back for correction.")
        % {"expert": sheet.expert.display_name},
    )
    return redirect("presentations:chair_sheets", pk=room.pk)
