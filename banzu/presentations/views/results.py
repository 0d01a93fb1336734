"""The event's outcome: the admin's results page with the fairness figures across rooms, the
Excel of every counted sheet, and each room's score summary for the chair to sign (the admin's
any time, the room secretary's once the room is closed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core.access import deny, is_admin, require_admin
from banzu.core.responses import attachment_response
from banzu.documents.render import CONTENT_TYPES, Format
from banzu.editions.resolver import edition_or_404
from banzu.presentations.enums import RoomState
from banzu.presentations.permissions import get_room_for_staff_or_404
from banzu.presentations.results import event_results, room_results
from banzu.presentations.selectors import event_for
from banzu.presentations.summary import room_summary_file, sheets_xlsx

actions.register("export.presentation_summary", "export.presentation_sheets")


@login_required  # anonymous visitors log in first (a secretary's expired session, too)
@require_GET
def results(request: HttpRequest) -> HttpResponse:
    require_admin(request, "presentation results")
    edition = edition_or_404(request)
    event = event_for(edition)
    return render(
        request,
        "presentations/results/results.html",
        {
            "edition": edition,
            "event": event,
            "results": event_results(event) if event is not None else None,
        },
    )


@login_required
@require_GET
def sheets_export(request: HttpRequest) -> HttpResponse:
    require_admin(request, "presentation sheets")
    edition = edition_or_404(request)
    event = event_for(edition)
    if event is None:
        raise deny(request, "presentation event", edition.year)
    found = event_results(event)
    filename, content = sheets_xlsx(found)
    record(
        action="export.presentation_sheets",
        actor=request.user,
        target=event,
        data={"format": "xlsx", "sheets": found.sheets},
        ip=client_ip(request),
    )
    return attachment_response(content, filename=filename, content_type=CONTENT_TYPES["xlsx"])


@login_required
@require_GET
def room_summary(request: HttpRequest, pk: int, fmt: Format) -> HttpResponse:
    room = get_room_for_staff_or_404(request, pk)
    if not is_admin(request.user) and room.state != RoomState.CLOSED:
        # The room's own secretary, before the room is closed: the scores are not final yet.
        raise deny(request, "presentation room summary", pk, code="403")
    found = room_results(room)
    rendered = room_summary_file(found, fmt)
    record(
        action="export.presentation_summary",
        actor=request.user,
        target=room,
        data={"format": fmt, "teams": len(found.teams)},
        ip=client_ip(request),
    )
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
