"""The admin's entry of a paper presentation sheet after the event, with its scan, and the
scan's download. Both are the admin's alone: to anyone else they do not exist (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core import filestore
from banzu.core.access import admin_required, deny, require_admin
from banzu.core.errors import ServiceError
from banzu.core.responses import download_response
from banzu.editions.resolver import edition_for
from banzu.presentations import scans, sheet_reads, sheets
from banzu.presentations.forms_scoring import PaperSheetForm
from banzu.presentations.models import PresentationSheet, Room

actions.register("presentations.scan_download")


@admin_required
@require_http_methods(["GET", "POST"])
def paper(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = edition_for(request)
    rooms = list(Room.objects.filter(event__edition=edition).select_related("event__edition"))
    wanted = request.POST.get("room") or request.GET.get("room") or ""
    room = next((r for r in rooms if str(r.pk) == wanted), None)
    if room is None and wanted:
        raise deny(request, "presentation room", wanted[:20])
    form = None
    errors: dict[int, str] = {}
    if room is not None:
        items = sheet_reads.sheet_items(room)
        form = PaperSheetForm(
            request.POST if request.method == "POST" else None,
            request.FILES if request.method == "POST" else None,
            room=room,
            items=items,
        )
        if request.method == "POST" and form.is_valid():
            entered = _enter(request, form)
            if isinstance(entered, PresentationSheet):
                messages.success(
                    request,
                    _("The paper sheet of %(expert)s for %(team)s is stored.")
                    % {
                        "expert": entered.expert.display_name,
                        "team": entered.slot.application.team.name,
                    },
                )
                return redirect(f"{reverse('presentations:paper')}?room={room.pk}")
            errors = entered
    return render(
        request,
        "presentations/scoring/paper.html",
        {
            "rooms": rooms,
            "room": room,
            "form": form,
            "rows": [
                {
                    "item": item,
                    "field": form[f"points_{item.position}"],
                    "error": errors.get(item.position, ""),
                }
                for item in form.items
            ]
            if form is not None
            else [],
            "entered": PresentationSheet.objects.filter(
                slot__room=room, entered_by__isnull=False
            ).select_related("slot__application__team", "expert", "entered_by")
            if room is not None
            else [],
        },
        status=400 if errors or (form is not None and form.errors) else 200,
    )


def _enter(
    request: AuthenticatedHttpRequest, form: PaperSheetForm
) -> PresentationSheet | dict[int, str]:
    """Store the scan, then the sheet; a refused sheet takes its scan away again."""
    ip = client_ip(request)
    try:
        scan = scans.store_scan(form.cleaned_data["scan"], by=request.user, ip=ip)
    except ServiceError as error:
        form.add_error("scan", error.message)
        return {}
    try:
        return sheets.enter_paper_sheet(
            slot=form.cleaned_data["slot"],
            expert=form.cleaned_data["expert"],
            points=form.points(),
            comment=form.cleaned_data["comment"],
            scan=scan,
            by=request.user,
            ip=ip,
        )
    except ServiceError as error:
        scans.discard(scan)
        form.add_error(None, error.message)
        return {int(k): v for k, v in error.field_errors.items()}


@login_required
@require_GET
def sheet_scan(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    require_admin(request, "presentation sheet scan", pk)
    sheet = (
        PresentationSheet.objects.select_related("slot__application", "expert")
        .exclude(scan_path="")
        .filter(pk=pk)
        .first()
    )
    if sheet is None:
        raise deny(request, "presentation sheet scan", pk)
    kind = scans.scan_kind(sheet.scan_path)
    record(
        action="presentations.scan_download",
        actor=request.user,
        target=sheet.slot.application,
        data={"sheet": sheet.pk, "sha256": sheet.scan_sha256},
        ip=client_ip(request),
    )
    extension = {"jpeg": "jpg"}.get(kind, kind or "bin")
    return download_response(
        filestore.verified_path(sheet.scan_path, sheet.scan_sha256),
        filename=f"paper-sheet-{sheet.slot.application.recommendation_number}-"
        f"{sheet.expert.display_name}.{extension}",
        content_type=scans.CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
