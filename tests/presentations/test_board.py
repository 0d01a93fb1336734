"""The admin's live board: every room, its progress, the missing sheets, the schedule warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.presentations import live
from banzu.presentations.enums import SheetState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal, Slot
from tests.conftest import client_for

START = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)  # rooms A and B start at 09:00 (+08:00)


def rows_by_room(world, now):
    return {row.room.pk: row for row in live.board(world.event, now=now)}


def test_board_rows_show_current_progress_and_missing_sheets(world):
    slot = world.slots_a[0]
    for user in world.panel_a[:3]:
        PresentationSheet.objects.create(
            slot=slot, expert=user, state=SheetState.SUBMITTED, total=Decimal("16")
        )
    member = PanelMember.objects.get(room=world.room_a, expert=world.panel_a[4])
    Recusal.objects.create(member=member, slot=slot, reason="同一单位")
    opened = world.room_a.starts_at

    rows = rows_by_room(world, opened + dt.timedelta(minutes=5))

    a, b = rows[world.room_a.pk], rows[world.room_b.pk]
    assert a.current is not None
    assert (a.current.pk, a.done, a.absent, a.total) == (slot.pk, 0, 0, 3)
    assert a.missing == ["评委甲4"]
    assert (b.current, b.done, b.total, b.missing) == (None, 0, 3, [])


def test_board_warns_when_a_room_runs_behind(world):
    # Room A's plan: 17 minutes a team from its start; team 1 opened on time (opened_at = start).
    starts = world.room_a.starts_at
    on_time = rows_by_room(world, starts + dt.timedelta(minutes=20))
    # Team 2 was planned at +17 min; 25 minutes later it has still not been opened.
    late = rows_by_room(world, starts + dt.timedelta(minutes=17 + 25))

    assert on_time[world.room_a.pk].behind_minutes == 0
    assert late[world.room_a.pk].behind_minutes == 25
    assert late[world.room_b.pk].behind_minutes == 0  # not running yet


def test_board_warns_when_the_team_on_stage_opened_late(world):
    slot = world.slots_a[0]
    Slot.objects.filter(pk=slot.pk).update(
        opened_at=world.room_a.starts_at + dt.timedelta(minutes=9)
    )

    rows = rows_by_room(world, world.room_a.starts_at + dt.timedelta(minutes=10))

    assert rows[world.room_a.pk].behind_minutes == 9


def test_board_page_for_the_admin(world, admin_user):
    response = client_for(admin_user).get(reverse("presentations:board"))

    page = response.content.decode()
    assert [row.room.name for row in response.context["rows"]] == ["第一分会场", "第二分会场"]
    assert world.slots_a[0].application.team.name in page
    assert "5 sheets missing:" in page
    assert reverse("presentations:board_rooms") in page


@pytest.mark.parametrize("who", ["secretary_a", "chair", "applicant"])
def test_board_is_404_for_everyone_but_the_admin(world, applicant_a, who):
    user = {"secretary_a": world.secretary_a, "chair": world.panel_a[0], "applicant": applicant_a}[
        who
    ]

    for name in ("presentations:board", "presentations:board_rooms"):
        assert client_for(user).get(reverse(name)).status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == 2


def test_board_partial_is_cheap_for_one_and_for_many_rooms(
    world, admin_user, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse("presentations:board_rooms"))  # the session and the edition warmed up

    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("presentations:board_rooms"))
    two_rooms = len(captured.captured_queries)
    live.open_next(room=world.room_b, by=world.secretary_b)
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("presentations:board_rooms"))

    assert len(captured.captured_queries) == two_rooms
