"""The big screen: reached by its token alone, only its room, the timer from the server's marks,
and a score only as the event's setting allows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.audit.models import AuditEntry
from banzu.presentations import live
from banzu.presentations.enums import SheetState, ShowScore, SlotState
from banzu.presentations.models import PresentationSheet, TimerMark
from banzu.presentations.timer import EventKind
from tests.conftest import client_for

TOTALS = ["16.5", "17.0", "18.0", "15.5", "19.0"]


def stage_url(room) -> str:
    return reverse("presentations:screen_stage", args=[room.screen_token])


def screen_url(room) -> str:
    return reverse("presentations:screen", args=[room.screen_token])


def submit(slot, experts, totals=TOTALS) -> None:
    for user, total in zip(experts, totals, strict=False):
        PresentationSheet.objects.create(
            slot=slot, expert=user, state=SheetState.SUBMITTED, total=Decimal(total)
        )


def show(world, setting: str) -> None:
    world.event.show_score = setting
    world.event.save(update_fields=["show_score"])


def test_screen_shows_its_room_team_and_timer(world):
    started = timezone.now() - dt.timedelta(seconds=125, milliseconds=400)
    TimerMark.objects.create(slot=world.slots_a[0], kind=EventKind.START, at=started)
    application = world.slots_a[0].application

    page = client_for(None).get(screen_url(world.room_a)).content.decode()

    assert application.team.name in page
    assert application.team.enterprise.name in page
    assert '<span class="timer-display">09:55</span>' in page
    assert 'data-running="1"' in page
    assert world.slots_b[0].application.team.name not in page


def test_screen_token_shows_only_its_room(world):
    page = client_for(None).get(screen_url(world.room_b)).content.decode()

    assert world.room_b.name in page
    assert world.room_a.name not in page
    assert world.slots_a[0].application.team.name not in page


def test_screen_with_a_wrong_token_is_404_and_journalled(world):
    response = client_for(None).get(reverse("presentations:screen", args=["x" * 32]))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.data == {"object": "presentation screen", "id": "token", "code": "404"}


def test_a_reload_shows_the_same_time(world):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(seconds=700)
    slot = world.slots_a[0]
    live.timer_event(slot=slot, kind=EventKind.START, by=world.secretary_a, now=start)
    live.timer_event(
        slot=slot, kind=EventKind.PAUSE, by=world.secretary_a, now=start + dt.timedelta(seconds=610)
    )
    client = client_for(None)

    first = client.get(stage_url(world.room_a)).content.decode()
    second = client_for(None).get(stage_url(world.room_a)).content.decode()

    for page in (first, second):
        assert 'data-elapsed-ms="610000"' in page
        assert 'data-running="0"' in page
        assert '<span class="timer-display">01:50</span>' in page
        assert "timer-amber" in page


@pytest.mark.parametrize("setting", [ShowScore.NEVER, ShowScore.AFTER_ROOM])
def test_no_team_score_unless_the_setting_says_after_each_team(world, setting):
    show(world, setting)
    submit(world.slots_a[0], world.panel_a)

    page = client_for(None).get(stage_url(world.room_a)).content.decode()

    assert "Presentation score" not in page
    assert "17.17" not in page


def test_team_score_after_the_whole_panel_has_submitted(world):
    show(world, ShowScore.AFTER_TEAM)
    submit(world.slots_a[0], world.panel_a[:4])
    client = client_for(None)

    before = client.get(stage_url(world.room_a)).content.decode()
    submit(world.slots_a[0], world.panel_a[4:], ["19.0"])
    after = client.get(stage_url(world.room_a)).content.decode()

    assert "Presentation score" not in before
    assert "<span>Presentation score</span> <strong>17.17</strong>" in after


def test_room_scores_once_every_team_is_done(world):
    show(world, ShowScore.AFTER_ROOM)
    first, second, third = world.slots_a
    submit(first, world.panel_a)
    live.open_next(room=world.room_a, by=world.secretary_a)
    submit(second, world.panel_a, ["15.0"] * 5)
    during = client_for(None).get(stage_url(world.room_a)).content.decode()
    live.mark_absent(slot=third, by=world.secretary_a, reason="未到场")
    live.open_next(room=world.room_a, by=world.secretary_a)

    after = client_for(None).get(stage_url(world.room_a)).content.decode()

    assert "Presentation scores" not in during
    assert "17.17" not in during
    assert "Presentation scores" in after
    assert [score in after for score in ("17.17", "15.00", "absent")] == [True, True, True]
    assert world.room_a.slots.get(pk=second.pk).state == SlotState.DONE


def test_screen_stage_partial_is_cheap(world, django_assert_max_num_queries):
    show(world, ShowScore.AFTER_TEAM)
    submit(world.slots_a[0], world.panel_a)
    TimerMark.objects.create(slot=world.slots_a[0], kind=EventKind.START, at=timezone.now())
    client = client_for(None)

    with django_assert_max_num_queries(5):
        response = client.get(stage_url(world.room_a))

    assert "<strong>17.17</strong>" in response.content.decode()


def test_screen_needs_no_login_and_shows_no_console_controls(world):
    page = client_for(None).get(screen_url(world.room_a)).content.decode()

    assert "/console/" not in page
    assert "csrfmiddlewaretoken" not in page
