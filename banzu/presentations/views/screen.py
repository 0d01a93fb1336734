"""The big screen: the projector's page, reached by the room's unguessable token without a login.

It shows the team on stage and a large timer that runs in the browser from the server's reading
(re-synced by a small partial polled every two seconds), and a score only as the event's setting
allows: the team's once its whole panel has submitted (after each team), or the room's list once
every team is done (at the end of the room, before it is closed; a closed room's screen is gone).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from banzu.presentations import live, selectors
from banzu.presentations.changes import not_modified, shown_version
from banzu.presentations.enums import ShowScore, SlotState
from banzu.presentations.models import Room
from banzu.presentations.permissions import get_room_for_screen_or_404, screen_unchanged
from banzu.presentations.views.console import qr_svg, scoring_url


def stage_context(room: Room) -> dict[str, Any]:
    event = room.event
    current = room.current
    context: dict[str, Any] = {
        "room": room,
        "current": current,
        "timer": live.timer_view(current, event, timezone.now()) if current else None,
        "team_score": None,
        "room_scores": None,
    }
    if current is None:
        return context
    if event.show_score == ShowScore.AFTER_TEAM and current.state != SlotState.ABSENT:
        result = selectors.slot_score(current, event)
        if result.expected and result.submitted >= result.expected:
            context["team_score"] = result.score.score
    elif event.show_score == ShowScore.AFTER_ROOM:
        counts = live.room_counts(room)
        if counts["total"] and counts["done"] + counts["absent"] == counts["total"]:
            context["room_scores"] = live.room_scores(room, event)
    return context


@require_GET
@never_cache
def screen(request: HttpRequest, token: str) -> HttpResponse:
    room = get_room_for_screen_or_404(request, token)
    scoring = request.build_absolute_uri(scoring_url(room))
    return render(
        request,
        "presentations/live/screen.html",
        {**stage_context(room), "token": token, "scoring_qr": qr_svg(scoring)},
    )


@require_GET
@never_cache
def stage(request: HttpRequest, token: str) -> HttpResponse:
    """The polled part of the screen: the team, the timer's reading, the score if allowed."""
    version = shown_version(request)
    if version is not None and screen_unchanged(token, version):
        return not_modified()
    room = get_room_for_screen_or_404(request, token)
    return render(
        request, "presentations/live/_screen_stage.html", {**stage_context(room), "token": token}
    )
