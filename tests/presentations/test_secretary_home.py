"""The room secretary's home page: their room (name, place, state, the team on stage) with the
way to its console, answered by the event through banzu.core.hooks.dashboard_cards; or, plainly,
that no room is bound to them yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.editions.models import Edition
from banzu.presentations.enums import RoomState, SlotState
from banzu.presentations.models import Event, Room, Slot
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.presentations.conftest import scored_application

pytestmark = pytest.mark.django_db


def home_of(user) -> str:
    response = client_for(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_secretary_sees_their_running_room_and_its_console(world):
    on_stage = world.slots_a[0].application.team

    page = home_of(world.secretary_a)

    assert "<h1>Presentation event</h1>" in page
    assert "Your room at the 2026 presentation event" in page
    assert '第一分会场 <span class="badge room-running">Running</span></h2>' in page
    assert "<dd>A厅 (杭州国际博览中心)</dd>" in page
    assert (
        f'<strong>{on_stage.name}</strong> <span class="badge slot-presenting">Presenting now'
        in page
    )
    assert "<dd>0 presented · 0 absent · 3 teams</dd>" in page
    assert (
        f'<a class="button secretary-console" '
        f'href="{reverse("presentations:console", args=[world.room_a.pk])}">'
        "Open the room's console</a>"
    ) in page
    # Only their own room; none of the applicant's or the expert's page.
    assert "第二分会场" not in page
    assert "My applications" not in page
    assert "Score presentations" not in page


def test_the_secretary_of_a_drawn_room_sees_no_team_on_stage_yet(world):
    page = home_of(world.secretary_b)

    assert '第二分会场 <span class="badge room-drawn">Order drawn</span></h2>' in page
    assert "<dd>No team is on stage yet.</dd>" in page
    assert reverse("presentations:console", args=[world.room_b.pk]) in page


def test_a_closed_room_leads_to_its_score_summary(world):
    Room.objects.filter(pk=world.room_b.pk).update(state=RoomState.CLOSED, closed_at=timezone.now())

    page = home_of(world.secretary_b)

    assert '第二分会场 <span class="badge room-closed">Closed</span></h2>' in page
    assert reverse("presentations:results_summary_pdf", args=[world.room_b.pk]) in page
    assert reverse("presentations:results_summary_xlsx", args=[world.room_b.pk]) in page
    assert "secretary-console" not in page  # the console is a plain link once closed


def test_a_secretary_without_a_room_is_told_so_plainly(world):
    unbound = UserFactory(username="secretary_c", role="secretary", full_name="秘书丙")

    page = home_of(unbound)

    assert "<h2>No room is bound to you yet</h2>" in page
    assert "/event/rooms/" not in page


def test_the_secretary_card_is_not_shown_to_anyone_else(world, applicant_a, admin_user):
    for user in (applicant_a, admin_user, world.panel_a[0]):
        page = home_of(user)
        assert "secretary-room" not in page


def earlier_room(world, secretary) -> Room:
    """The secretary's room at the 2025 event as well (a copy of the 2026 edition's row)."""
    earlier = Edition.objects.get(year=2026)
    earlier.pk, earlier.year, earlier.is_active = None, 2025, False
    earlier.save()
    event = Event.objects.create(edition=earlier, starts_on=dt.date(2025, 12, 9), venue="旧馆")
    room = Room.objects.create(
        event=event,
        position=1,
        name="2025年分会场",
        starts_at=world.room_a.starts_at - dt.timedelta(days=365),
        secretary=secretary,
        state=RoomState.CLOSED,
    )
    Slot.objects.create(
        event=event,
        application=scored_application(9, edition=earlier),
        room=room,
        position=1,
        drawn_position=1,
        state=SlotState.DONE,
    )
    return room


def test_each_bound_room_shows_the_newest_edition_first(world):
    earlier_room(world, world.secretary_a)

    page = home_of(world.secretary_a)

    assert page.index("Your room at the 2026 presentation event") < page.index(
        "Your room at the 2025 presentation event"
    )
    assert "<dd>1 presented · 0 absent · 1 teams</dd>" in page
    assert "<dd>0 presented · 0 absent · 3 teams</dd>" in page


@pytest.mark.parametrize("rooms", [1, 2])
def test_the_secretary_home_reads_in_fixed_queries(world, django_assert_num_queries, rooms):
    if rooms == 2:
        earlier_room(world, world.secretary_a)
    client = client_for(world.secretary_a)

    # The session and its user, the secretary's rooms (one query with the team on stage and the
    # counts), and the current edition with its rubric (the page's frame).
    with django_assert_num_queries(5):
        response = client.get(reverse("home"))

    assert response.content.decode().count("Your room at the") == rooms
