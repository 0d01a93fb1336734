"""Presentation-event personas on one event built directly through the models (the fast way):
two rooms of three scored teams each, a five-expert panel on room A with its chair, a room
secretary bound to room A, the order drawn, room A running with its first team presenting.

- `secretary_a`  the room secretary of room A
- `secretary_b`  the room secretary of room B
- `chair_a`      panel chair of room A (an expert)
- `panel_a`      the five experts of room A's panel, chair first
- `expert_b`     an expert on room B's panel only
- `applicant_a`  owns the first team of room A (conftest persona)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from banzu.applications.enums import ApplicationState
from banzu.presentations.enums import RoomState, SlotState
from banzu.presentations.models import Event, PanelMember, Room, Slot
from tests.factories import ApplicationFactory, ExpertProfileFactory, UserFactory, complete_fields


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def scored_application(number: int, **kwargs):
    kwargs.setdefault("state", ApplicationState.SCORED)
    application = ApplicationFactory(**kwargs, **complete_fields())
    application.recommendation_number = f"杭-2026-{number:03d}"
    application.save(update_fields=["recommendation_number"])
    return application


def make_expert(username: str, full_name: str | None = None):
    names = {"full_name": full_name} if full_name else {}
    user = UserFactory(username=username, role="expert", **names)
    ExpertProfileFactory(user=user)
    return user


@dataclass
class EventWorld:
    event: Event
    room_a: Room
    room_b: Room
    slots_a: list[Slot]  # in drawn order
    slots_b: list[Slot]
    panel_a: list  # users, chair first
    expert_b: object
    secretary_a: object
    secretary_b: object


def build_event(edition, applicant_a=None, *, running: bool = True) -> EventWorld:
    start = timezone.make_aware(dt.datetime(2026, 12, 10, 9, 0))
    event = Event.objects.create(edition=edition, starts_on=start.date(), venue="杭州国际博览中心")
    secretary_a = UserFactory(username="secretary_a", role="secretary", full_name="秘书甲")
    secretary_b = UserFactory(username="secretary_b", role="secretary", full_name="秘书乙")
    room_a = Room.objects.create(
        event=event,
        position=1,
        name="第一分会场",
        place="A厅",
        starts_at=start,
        secretary=secretary_a,
    )
    room_b = Room.objects.create(
        event=event,
        position=2,
        name="第二分会场",
        place="B厅",
        starts_at=start,
        secretary=secretary_b,
    )
    panel_a = [make_expert(f"panel_a{i}", f"评委甲{i}") for i in range(1, 6)]
    expert_b = make_expert("expert_b", "评委乙")
    for user in panel_a:
        PanelMember.objects.create(room=room_a, expert=user)
    PanelMember.objects.create(room=room_b, expert=expert_b)
    room_a.chair = panel_a[0]
    room_b.chair = expert_b
    slots_a, slots_b = [], []
    for i in range(6):
        kwargs = {"edition": edition}
        if i == 0 and applicant_a is not None:
            kwargs |= {"team__enterprise": applicant_a.enterprise, "created_by": applicant_a}
        application = scored_application(i + 1, **kwargs)
        room = room_a if i < 3 else room_b
        position = i % 3 + 1
        slot = Slot.objects.create(
            event=event,
            application=application,
            room=room,
            drawn_position=position,
            position=position,
        )
        (slots_a if room is room_a else slots_b).append(slot)
    room_b.state = RoomState.DRAWN
    room_b.save()
    if running:
        room_a.state = RoomState.RUNNING
        first = slots_a[0]
        first.state = SlotState.PRESENTING
        first.opened_at = start
        first.save()
        room_a.current = first
    else:
        room_a.state = RoomState.DRAWN
    room_a.save()
    return EventWorld(
        event, room_a, room_b, slots_a, slots_b, panel_a, expert_b, secretary_a, secretary_b
    )


@pytest.fixture
def world(edition, applicant_a) -> EventWorld:
    return build_event(edition, applicant_a)
