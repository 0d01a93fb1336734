"""The 2026 presentation event of the demo (banzu/demo/event.py), over the demo built once for
the folder (tests/demo/conftest.py)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.editions.selectors import presentation_sheet
from banzu.presentations import draw
from banzu.presentations.enums import RoomState, SheetState, SlotState, TimerMarkKind
from banzu.presentations.models import (
    DrawRecord,
    Event,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
)
from banzu.presentations.selectors import room_order, scorers, slot_score, timer_state
from banzu.review.models import Assignment
from banzu.scoring.models import ScoreSheet

pytestmark = [pytest.mark.demo, pytest.mark.django_db]


@pytest.fixture
def rooms(demo) -> list[Room]:
    event = Event.objects.get(edition__year=2026)
    return list(event.rooms.order_by("position"))


def _teams(room: Room) -> list[draw.Team]:
    return [
        draw.Team(slot.application_id, slot.application.recommendation_number or "")
        for slot in Slot.objects.filter(room=room).select_related("application")
    ]


def test_two_rooms_of_five_scored_teams(rooms):
    assert [(room.name, room.state) for room in rooms] == [
        ("第一分会场", RoomState.RUNNING),
        ("第二分会场", RoomState.DRAWN),
    ]
    assert all(room.place for room in rooms)
    for room in rooms:
        applications = Application.objects.filter(presentation_slots__room=room)
        assert list(applications.values_list("state", flat=True)) == ["scored"] * 5
        assert applications.values("recommender").distinct().count() == 5
    # Every scored 2026 application presents; the ten come from six recommenders.
    scored = Application.objects.filter(edition__year=2026, state="scored")
    assert scored.count() == 10
    assert set(
        Slot.objects.filter(event__edition__year=2026).values_list("application", flat=True)
    ) == set(scored.values_list("pk", flat=True))
    assert scored.values("recommender").distinct().count() == 6


def test_the_teams_were_scored_by_three_experts_with_a_ppt(demo):
    for application in Application.objects.filter(edition__year=2026, state="scored"):
        sheets = ScoreSheet.objects.filter(application=application, stage="materials")
        assert list(sheets.values_list("state", flat=True)) == ["submitted"] * 3
        assert application.documents.filter(
            kind="presentation", superseded_at__isnull=True
        ).exists()
        assert application.recommendation_number


def test_each_room_has_a_draw_record_that_verifies(rooms):
    for room in rooms:
        record = DrawRecord.objects.get(room=room)
        assert record.number == 1
        drawn = draw.from_json(record.record)
        assert (drawn.seed, drawn.input_sha256) == (record.seed, record.input_sha256)
        draw.verify(drawn, _teams(room))  # raises on any difference
        assert [slot.application_id for slot in room_order(room)] == list(drawn.order)
        assert [slot.drawn_position for slot in room_order(room)] == [1, 2, 3, 4, 5]


def test_panels_of_five_with_a_chair_each_expert_on_one(rooms):
    seats = Counter()
    for room in rooms:
        panel = list(room.panel.values_list("expert_id", flat=True))
        assert len(panel) == 5
        assert room.chair_id in panel
        seats.update(panel)
    assert set(seats.values()) == {1}
    # One recusal: 郑丽 works for 浙江省建工集团, whose team presents in 第二分会场.
    recusal = Recusal.objects.select_related("member__expert", "slot__application__team").get(
        member__room__event__edition__year=2026
    )
    assert recusal.member.room == rooms[1]
    assert recusal.member.expert.username == "expert_zheng"
    assert recusal.slot.application.team.enterprise.name == "浙江省建工集团有限责任公司"


def test_room_one_is_half_way(rooms):
    room = rooms[0]
    event = room.event
    order = list(room_order(room))
    assert [slot.state for slot in order] == [
        SlotState.DONE,
        SlotState.DONE,
        SlotState.PRESENTING,
        SlotState.WAITING,
        SlotState.WAITING,
    ]
    items = presentation_sheet(event.edition)
    for slot in order[:2]:
        sheets = list(PresentationSheet.objects.filter(slot=slot))
        assert [sheet.state for sheet in sheets] == [SheetState.SUBMITTED] * 5
        for sheet in sheets:
            points = [Decimal(item["points"]) for item in sheet.items]
            assert [item["position"] for item in sheet.items] == [i.position for i in items]
            assert all(p % Decimal("0.5") == 0 for p in points)
            assert all(0 <= p <= i.max_points for p, i in zip(points, items, strict=True))
            assert sheet.total == sum(points)
        assert slot.score is not None
        assert slot.score == slot_score(slot, event).score.score
        assert Decimal(10) < slot.score <= Decimal(20)
        marks = [mark.kind for mark in slot.timer_marks.all()]
        assert marks == [TimerMarkKind.START, TimerMarkKind.STOP]
        talk = timer_state(slot).elapsed(timezone.now())
        assert dt.timedelta(minutes=10) < talk < dt.timedelta(minutes=14)
    assert len({sheet.total for sheet in PresentationSheet.objects.filter(slot=order[0])}) > 1
    current = order[2]
    assert room.current == current
    assert current.score is None
    start = current.timer_marks.get()
    assert start.kind == TimerMarkKind.START
    assert dt.timedelta(minutes=3) < timezone.now() - start.at < dt.timedelta(minutes=10)
    assert PresentationSheet.objects.filter(slot=current, state=SheetState.SUBMITTED).count() == 2
    assert not PresentationSheet.objects.filter(slot__in=order[3:]).exists()
    assert not Slot.objects.filter(room=rooms[1]).exclude(state=SlotState.WAITING).exists()


def test_the_demo_expert_has_the_current_team_to_score(rooms):
    room = rooms[0]
    expert = User.objects.get(username="expert")
    assert expert.full_name == "陈建华"
    assert room.panel.filter(expert=expert).exists()
    assert room.chair != expert
    assert room.current is not None
    assert scorers(room.current).filter(expert=expert).exists()
    assert not PresentationSheet.objects.filter(slot=room.current, expert=expert).exists()
    # The review demo's work is still theirs: one to declare, three confirmed, a draft and a
    # submitted sheet, none of them the event's teams.
    mine = Assignment.objects.filter(expert=expert, application__edition__year=2026)
    assert Counter(mine.values_list("state", flat=True)) == {"pending": 1, "confirmed": 3}
    assert not mine.filter(application__state="scored").exists()


def test_the_demo_secretary_is_bound_to_room_one(demo, rooms):
    secretary = User.objects.get(username="secretary")
    assert (secretary.role, secretary.full_name, secretary.is_demo) == ("secretary", "王丽", True)
    assert secretary.check_password("banzu-demo")
    assert list(Room.objects.filter(secretary=secretary)) == [rooms[0]]
    assert rooms[1].secretary is None
    assert "secretary    第一分会场会务秘书" in demo


def test_the_event_belongs_to_the_current_edition(demo):
    assert Event.objects.get(edition__year=2026).edition == Edition.objects.get(is_active=True)
    # The other event is 2025's, held (banzu/demo/results.py).
    assert list(Event.objects.order_by("starts_on").values_list("edition__year", flat=True)) == [
        2025,
        2026,
    ]
