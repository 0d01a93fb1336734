"""The provincial admin's setup of the presentation event (/event/setup/): settings, who
presents, rooms and secretaries, distribution, panels, the draw and the schedule. Admin only:
to anyone else these pages do not exist (404, journalled)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import admin_required, deny
from banzu.core.errors import ServiceError
from banzu.core.responses import attachment_response
from banzu.core.service_calls import run_service
from banzu.documents.render import as_format
from banzu.editions.resolver import edition_or_404
from banzu.presentations import schedule as schedule_docs
from banzu.presentations import setup, setup_draw, setup_panels
from banzu.presentations.enums import RoomState
from banzu.presentations.forms_setup import (
    ChairForm,
    DrawForm,
    EventForm,
    MoveForm,
    RoomForm,
    SecretaryForm,
    SwapForm,
)
from banzu.presentations.models import DrawRecord, Event, Recusal, Room, Slot
from banzu.presentations.selectors import event_for


class NoEvent(Exception):
    pass


def _event(request: HttpRequest) -> Event:
    edition = edition_or_404(request)
    event = event_for(edition)
    if event is None:
        raise NoEvent
    return event


def _room(request: HttpRequest, event: Event, pk: int) -> Room:
    room = Room.objects.filter(pk=pk, event=event).select_related("event__edition").first()
    if room is None:
        raise deny(request, "presentation room", pk)
    return room


View = Callable[..., HttpResponse]


def _needs_event(view: View) -> View:
    """A page of a set-up event; before the settings are saved it sends the admin there."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NoEvent:
            messages.info(request, _("Save the event's settings first."))
            return redirect("presentations:setup_event")

    return wrapper


def _page(request: HttpRequest, template: str, tab: str, **context: object) -> HttpResponse:
    return render(request, f"presentations/setup/{template}", {"tab": tab, **context})


# --- Settings and selection -------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
def event_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = edition_or_404(request)
    event = event_for(edition)
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            setup.save_event(
                edition=edition,
                by=request.user,
                fields=form.changed_values(),
                ip=client_ip(request),
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The event's settings are saved."))
            return redirect("presentations:setup_event")
    return _page(request, "event.html", "event", edition=edition, event=event, form=form)


@admin_required
@require_http_methods(["GET", "POST"])
@_needs_event
def selection(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    if request.method == "POST":
        run_service(
            request,
            lambda: setup.select_presenters(event=event, by=request.user, ip=client_ip(request)),
            success=lambda done: (
                _("%(yes)s teams present; %(no)s do not.")
                % {"yes": done.presenting, "no": done.not_presenting}
            ),
        )
        return redirect("presentations:setup_selection")
    slots = list(
        Slot.objects.filter(event=event)
        .select_related("application__team__enterprise", "application__recommender", "room")
        .order_by(
            "application__recommender__sort_order",
            "application__recommendation_number",
            "application_id",
        )
    )
    return _page(
        request,
        "selection.html",
        "selection",
        event=event,
        presenting=[slot for slot in slots if slot.presenting],
        not_presenting=[slot for slot in slots if not slot.presenting],
        locked=bool(setup.drawn_rooms(event)),
    )


# --- Rooms, secretaries and distribution ------------------------------------------------------


@admin_required
@require_GET
@_needs_event
def rooms(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    by_room: dict[int | None, list[Slot]] = {}
    for slot in setup.presenting_slots(event):
        by_room.setdefault(slot.room_id, []).append(slot)
    room_list = list(event.rooms.order_by("position").select_related("secretary"))
    return _page(
        request,
        "rooms.html",
        "rooms",
        event=event,
        rooms=[(room, by_room.get(room.pk, [])) for room in room_list],
        unassigned=by_room.get(None, []),
        locked=bool(setup.drawn_rooms(event)),
    )


@admin_required
@require_http_methods(["GET", "POST"])
@_needs_event
def room_form(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk) if pk is not None else None
    form = RoomForm(request.POST or None, instance=room)
    if request.method == "POST" and form.is_valid():
        try:
            setup.save_room(
                event=event,
                by=request.user,
                fields=form.values(),
                room=room,
                ip=client_ip(request),
            )
        except ServiceError as error:
            if error.field_errors:
                for name, message in error.field_errors.items():
                    form.add_error(name, message)
            else:
                messages.error(request, error.message)
        else:
            messages.success(request, _("The room is saved."))
            return redirect("presentations:setup_rooms")
    return _page(request, "room_form.html", "rooms", event=event, room=room, form=form)


@admin_required
@require_POST
@_needs_event
def room_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk)
    run_service(
        request,
        lambda: setup.delete_room(room=room, by=request.user, ip=client_ip(request)),
        success=_("%(room)s is deleted; its teams wait for a room.") % {"room": room.name},
    )
    return redirect("presentations:setup_rooms")


@admin_required
@require_http_methods(["GET", "POST"])
@_needs_event
def secretary_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    form = SecretaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = setup.create_secretary(
                by=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("The secretary account %(username)s is made; bind it to a room below.")
                % {"username": user.username},
            )
            return redirect("presentations:setup_rooms")
    return _page(request, "secretary_form.html", "rooms", event=event, form=form)


@admin_required
@require_POST
@_needs_event
def distribute(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    run_service(
        request,
        lambda: setup.distribute(event=event, by=request.user, ip=client_ip(request)),
        success=lambda counts: (
            _("Teams distributed: %(counts)s.")
            % {"counts": "; ".join(f"{name} {n}" for name, n in counts.items())}
        ),
    )
    return redirect("presentations:setup_rooms")


@admin_required
@require_POST
@_needs_event
def move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    slot = (
        Slot.objects.filter(pk=pk, event=event, presenting=True)
        .select_related("application__team")
        .first()
    )
    if slot is None:
        raise deny(request, "presentation slot", pk)
    form = MoveForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, _("Choose a room of this event."))
    else:
        target: Room = form.cleaned_data["room"]
        run_service(
            request,
            lambda: setup.move_slot(slot=slot, room=target, by=request.user, ip=client_ip(request)),
            success=_("%(team)s moves to %(room)s.")
            % {"team": slot.application.team.name, "room": target.name},
        )
    return redirect("presentations:setup_rooms")


# --- Panels -----------------------------------------------------------------------------------


@admin_required
@require_http_methods(["GET", "POST"])
@_needs_event
def panels(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    problems: list[str] = []
    if request.method == "POST":
        try:
            run = setup_panels.assign_panels(event=event, by=request.user, ip=client_ip(request))
        except ServiceError as error:
            messages.error(request, _("No panels were assigned."))
            problems = [str(p) for p in error.problems] or [error.message]
        else:
            if run.conflict_free:
                messages.success(
                    request,
                    _("Panels assigned; no member is conflicted with a team of their room."),
                )
            else:
                messages.warning(
                    request,
                    _(
                        "No panels free of every conflict exist: %(why)s Panels were assigned "
                        "with %(n)s recusals."
                    )
                    % {"why": " ".join(run.problems), "n": run.recusals},
                )
            return redirect("presentations:setup_panels")
    overview = setup_panels.panels_overview(event)
    return _page(
        request,
        "panels.html",
        "panels",
        event=event,
        panels=[
            (
                panel,
                ChairForm(
                    room=panel.room,
                    initial={"expert": panel.room.chair_id},
                    auto_id=f"chair-{panel.room.pk}-%s",
                ),
                SwapForm(room=panel.room, auto_id=f"swap-{panel.room.pk}-%s"),
            )
            for panel in overview
        ],
        assigned=any(panel.members for panel in overview),
        problems=problems,
        free=setup_panels.free_experts(event),
        locked=bool(setup.drawn_rooms(event)),
    )


@admin_required
@require_POST
@_needs_event
def chair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk)
    form = ChairForm(request.POST, room=room)
    if not form.is_valid():
        messages.error(request, _("Choose a member of the room's panel."))
    else:
        expert = form.cleaned_data["expert"]
        run_service(
            request,
            lambda: setup_panels.set_chair(
                room=room, expert=expert, by=request.user, ip=client_ip(request)
            ),
            success=_("%(expert)s chairs the panel of %(room)s.")
            % {"expert": expert.display_name, "room": room.name},
        )
    return redirect("presentations:setup_panels")


@admin_required
@require_POST
@_needs_event
def swap(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk)
    form = SwapForm(request.POST, room=room)
    if not form.is_valid():
        messages.error(request, _("Choose the member leaving and the expert coming in."))
        return redirect("presentations:setup_panels")
    old, new = form.cleaned_data["old"], form.cleaned_data["new"]

    def said(recusals: list[Recusal]) -> str:
        text = _("%(new)s replaces %(old)s on the panel of %(room)s.") % {
            "new": new.display_name,
            "old": old.display_name,
            "room": room.name,
        }
        if recusals:
            text += " " + _("They recuse for %(n)s teams of the room.") % {"n": len(recusals)}
        return text

    run_service(
        request,
        lambda: setup_panels.swap_member(
            room=room, old=old, new=new, by=request.user, ip=client_ip(request)
        ),
        success=said,
    )
    return redirect("presentations:setup_panels")


# --- The draw ---------------------------------------------------------------------------------


@admin_required
@require_GET
@_needs_event
def draws(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    room_list = list(event.rooms.order_by("position"))
    records: dict[int, list[DrawRecord]] = {}
    for drawn in (
        DrawRecord.objects.filter(room__event=event)
        .select_related("drawn_by")
        .order_by("room", "-number")
    ):
        records.setdefault(drawn.room_id, []).append(drawn)
    counts = setup.room_counts(event)
    return _page(
        request,
        "draw.html",
        "draw",
        event=event,
        rooms=[(room, counts[room.pk], records.get(room.pk, [])) for room in room_list],
        form=DrawForm(),
        SETUP=RoomState.SETUP,
        DRAWN=RoomState.DRAWN,
    )


@admin_required
@require_POST
@_needs_event
def draw_room(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk)
    form = DrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""

    def call() -> DrawRecord:
        service = setup_draw.redraw_room if room.state == RoomState.DRAWN else setup_draw.draw_room
        return service(room=room, by=request.user, reason=reason, ip=client_ip(request))

    run_service(
        request,
        call,
        success=lambda drawn: (
            _("%(room)s: draw %(n)s recorded (seed %(seed)s…); the teams are told by mail.")
            % {"room": room.name, "n": drawn.number, "seed": drawn.seed[:12]}
        ),
    )
    return redirect("presentations:setup_draw")


@admin_required
@require_POST
@_needs_event
def undraw_room(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = _event(request)
    room = _room(request, event, pk)
    form = DrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    run_service(
        request,
        lambda: setup_draw.undraw_room(
            room=room, by=request.user, reason=reason, ip=client_ip(request)
        ),
        success=_("%(room)s is back in set-up; its draws stay on record.") % {"room": room.name},
    )
    return redirect("presentations:setup_draw")


# --- The schedule -----------------------------------------------------------------------------


@admin_required
@require_GET
@_needs_event
def schedule(request: AuthenticatedHttpRequest) -> HttpResponse:
    event = _event(request)
    return _page(
        request, "schedule.html", "schedule", event=event, rooms=schedule_docs.schedule(event)
    )


@admin_required
@require_GET
@_needs_event
def schedule_file(request: AuthenticatedHttpRequest, fmt: str) -> HttpResponse:
    event = _event(request)
    chosen = as_format(fmt, ("pdf", "xlsx"))
    if chosen is None or not event.rooms.exists():
        raise deny(request, "presentation schedule", fmt)
    rendered = schedule_docs.schedule_file(event, chosen)
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
