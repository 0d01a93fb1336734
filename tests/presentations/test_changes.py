"""The polls' fast path: a page that already shows the room's version is answered 204 (htmx
keeps what it has); any change a live page shows counts the version up; the fast path never
answers outside the caller's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.presentations import live
from banzu.presentations.enums import SheetState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal, Room, TimerMark
from banzu.presentations.timer import EventKind


def version(room: Room) -> int:
    return Room.objects.get(pk=room.pk).version


def test_a_room_saved_from_a_stale_instance_never_sets_its_version_back(world):
    stale = Room.objects.get(pk=world.room_a.pk)
    before = stale.version
    TimerMark.objects.create(slot=world.slots_a[0], kind=EventKind.START, at=world.room_a.starts_at)
    stale.place = "A厅（东）"
    stale.save()

    assert version(world.room_a) == before + 2  # the mark, then the room's own save


@pytest.mark.parametrize(
    "change",
    ["timer", "sheet", "recusal", "panel", "absent", "room_b_only"],
)
def test_every_change_a_live_page_shows_counts_the_version_up(world, change):
    a, b = version(world.room_a), version(world.room_b)
    slot = world.slots_a[0]
    if change == "timer":
        live.timer_event(slot=slot, kind=EventKind.START, by=world.secretary_a)
    elif change == "sheet":
        PresentationSheet.objects.create(
            slot=slot, expert=world.panel_a[1], total=Decimal("17.0"), state=SheetState.SUBMITTED
        )
    elif change == "recusal":
        member = PanelMember.objects.get(room=world.room_a, expert=world.panel_a[2])
        Recusal.objects.create(member=member, slot=slot, reason="enterprise")
    elif change == "panel":
        PanelMember.objects.filter(room=world.room_a, expert=world.panel_a[4]).delete()
        PanelMember.objects.get(room=world.room_a, expert=world.panel_a[3]).delete()
    elif change == "absent":
        live.mark_absent(slot=world.slots_a[1], by=world.secretary_a, reason="未到场")
    else:
        world.slots_b[0].save()

    if change == "room_b_only":
        assert (version(world.room_a), version(world.room_b)) == (a, b + 1)
    else:
        assert version(world.room_a) > a
        assert version(world.room_b) == b


def test_the_big_screen_is_answered_204_while_nothing_changed(world, client):
    room = world.room_a
    url = reverse("presentations:screen_stage", args=[room.screen_token])
    first = client.get(url)
    shown = version(room)

    assert first.status_code == 200
    assert f"?v={shown}".encode() in first.content
    assert client.get(f"{url}?v={shown}").status_code == 204
    assert client.get(f"{url}?v={shown - 1}").status_code == 200

    live.timer_event(slot=world.slots_a[0], kind=EventKind.START, by=world.secretary_a)
    changed = client.get(f"{url}?v={shown}")
    assert changed.status_code == 200
    assert f"?v={version(room)}".encode() in changed.content


def test_the_console_and_the_phone_polls_take_the_fast_path_in_scope_only(world, client):
    room = world.room_a
    shown = version(room)
    console = reverse("presentations:console_status", args=[room.pk])
    phone = reverse("presentations:score_status", args=[room.pk])

    client.force_login(world.secretary_a)
    assert client.get(f"{console}?v={shown}").status_code == 204
    client.force_login(world.panel_a[1])
    assert client.get(f"{phone}?v={shown}&slot={world.slots_a[0].pk}").status_code == 204

    # Another room's secretary and an expert of another panel who know the version still get
    # the 404 of the full path, journalled.
    denied = AuditEntry.objects.filter(action="access.denied").count()
    client.force_login(world.secretary_b)
    assert client.get(f"{console}?v={shown}").status_code == 404
    client.force_login(world.expert_b)
    assert client.get(f"{phone}?v={shown}").status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == denied + 2


def test_a_closed_rooms_screen_is_gone_even_for_its_last_version(world, client):
    room = world.room_b
    shown = version(room)
    Room.objects.filter(pk=room.pk).update(state="closed")

    url = reverse("presentations:screen_stage", args=[room.screen_token])
    assert client.get(f"{url}?v={shown}").status_code == 404
