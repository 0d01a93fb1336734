"""Closing a room: scores set from the submitted sheets, applications scored → presented through
the one transition function, absent teams marked and unscored, the screen gone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import live
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PresentationSheet, Slot
from tests.conftest import client_for

T0 = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)
TOTALS = ["16.5", "17.0", "18.0", "15.5", "19.0"]


def submit(slot: Slot, experts, totals=TOTALS) -> None:
    for user, total in zip(experts, totals, strict=False):
        PresentationSheet.objects.create(
            slot=slot, expert=user, state=SheetState.SUBMITTED, total=Decimal(total)
        )


def run_room(world, *, absent_last: bool = True) -> None:
    """Team 1 and 2 present with all five sheets; team 3 is absent (or presents too)."""
    first, second, third = world.slots_a
    submit(first, world.panel_a)
    live.open_next(room=world.room_a, by=world.secretary_a, now=T0 + dt.timedelta(minutes=17))
    submit(second, world.panel_a, ["14.0", "14.5", "15.0", "15.5", "16.0"])
    if absent_last:
        live.mark_absent(slot=third, by=world.secretary_a, reason="未到场")
    else:
        live.open_next(room=world.room_a, by=world.secretary_a, now=T0 + dt.timedelta(minutes=34))
        submit(third, world.panel_a, ["18.0"] * 5)


def test_close_room_sets_scores_and_moves_applications_to_presented(world):
    run_room(world)

    live.close_room(room=world.room_a, by=world.secretary_a, now=T0 + dt.timedelta(hours=1))

    first, second, third = (Slot.objects.get(pk=s.pk) for s in world.slots_a)
    world.room_a.refresh_from_db()
    assert world.room_a.state == RoomState.CLOSED
    assert world.room_a.closed_at == T0 + dt.timedelta(hours=1)
    # Trimmed mean of five (drop 15.5 and 19.0): (16.5 + 17.0 + 18.0) / 3 = 17.166… → 17.17
    assert (first.state, first.score) == (SlotState.DONE, Decimal("17.17"))
    assert (second.state, second.score) == (SlotState.DONE, Decimal("15.00"))
    assert (third.state, third.score, third.absent_reason) == (SlotState.ABSENT, None, "未到场")
    states = [s.application.state for s in (first, second, third)]
    assert states == [ApplicationState.PRESENTED] * 3
    moves = AuditEntry.objects.filter(action="application.record_presentation").order_by("seq")
    assert [(m.actor_username, m.data["acting_as"]) for m in moves] == [
        ("secretary_a", "admin")
    ] * 3
    closed = AuditEntry.objects.get(action="presentations.room.closed")
    assert closed.data["scores"] == {str(first.pk): "17.17", str(second.pk): "15.00"}


def test_close_room_leaves_room_b_alone(world):
    run_room(world)

    live.close_room(room=world.room_a, by=world.secretary_a)

    assert [Slot.objects.get(pk=s.pk).application.state for s in world.slots_b] == [
        ApplicationState.SCORED
    ] * 3


def test_close_is_refused_while_teams_wait(world):
    with pytest.raises(ServiceError) as error:
        live.close_room(room=world.room_a, by=world.secretary_a)

    assert error.value.code == "teams_waiting"
    world.room_a.refresh_from_db()
    assert world.room_a.state == RoomState.RUNNING


def test_close_is_refused_while_the_team_on_stage_lacks_sheets(world):
    run_room(world, absent_last=False)
    PresentationSheet.objects.filter(slot=world.slots_a[2], expert=world.panel_a[4]).delete()

    with pytest.raises(ServiceError) as error:
        live.close_room(room=world.room_a, by=world.secretary_a)

    assert error.value.code == "sheets_missing"
    assert "评委甲5" in error.value.message
    assert Slot.objects.get(pk=world.slots_a[2].pk).state == SlotState.PRESENTING


def test_close_with_confirmation_and_reason_scores_the_sheets_that_are_in(world):
    run_room(world, absent_last=False)
    PresentationSheet.objects.filter(slot=world.slots_a[2], expert=world.panel_a[4]).delete()

    live.close_room(
        room=world.room_a, by=world.secretary_a, confirm=True, reason="评委甲5 手机没电，纸质补录"
    )

    third = Slot.objects.get(pk=world.slots_a[2].pk)
    assert (third.state, third.score) == (SlotState.DONE, Decimal("18.00"))
    done = AuditEntry.objects.filter(action="presentations.slot.done").order_by("-seq").first()
    assert done is not None
    assert done.data["missing_sheets"] == [world.panel_a[4].pk]


def test_closed_rooms_screen_is_404_and_journalled(world):
    run_room(world)
    url = reverse("presentations:screen", args=[world.room_a.screen_token])
    assert client_for(None).get(url).status_code == 200

    live.close_room(room=world.room_a, by=world.secretary_a)

    assert client_for(None).get(url).status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.data == {"object": "presentation screen", "id": "token", "code": "404"}


def test_close_through_the_console(world):
    run_room(world)

    response = client_for(world.secretary_a).post(
        reverse("presentations:console_close", args=[world.room_a.pk]), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        "The room is closed; its teams' presentation scores are recorded."
    ]
    world.room_a.refresh_from_db()
    assert world.room_a.state == RoomState.CLOSED


def test_expert_cannot_close_room(world):
    run_room(world)

    response = client_for(world.panel_a[0]).post(
        reverse("presentations:console_close", args=[world.room_a.pk])
    )

    assert response.status_code == 404
    world.room_a.refresh_from_db()
    assert world.room_a.state == RoomState.RUNNING


def test_room_scores_agree_with_the_selector(world):
    from banzu.presentations import selectors

    run_room(world, absent_last=False)

    tallies = live.room_scores(world.room_a, world.event)

    assert [t.score for t in tallies] == [
        selectors.slot_score(slot, world.event).score.score for slot in world.slots_a
    ]
    assert [t.score for t in tallies] == [Decimal("17.17"), Decimal("15.00"), Decimal("18.00")]
