"""The admin's live board: every room's team on stage, its progress, the sheets still missing for
the team on stage, and a warning when a room runs behind its schedule (refreshed by polling a
small partial)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from banzu.core.access import admin_required
from banzu.editions.resolver import edition_or_404
from banzu.presentations import live, selectors


def _context(request: HttpRequest) -> dict[str, Any]:
    edition = edition_or_404(request)
    event = selectors.event_for(edition)
    return {
        "edition": edition,
        "event": event,
        "rows": live.board(event) if event is not None else [],
        "late_minutes": live.LATE_MINUTES,
        "now": timezone.now(),
    }


@admin_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    return render(request, "presentations/live/board.html", _context(request))


@admin_required
@require_GET
def board_rooms(request: HttpRequest) -> HttpResponse:
    return render(request, "presentations/live/_board_rooms.html", _context(request))
