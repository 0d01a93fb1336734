"""The admin's event setup: the settings, who presents (and why the others do not), rooms and
secretaries, and the teams' distribution over the rooms."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import setup
from banzu.presentations.enums import RoomState, Selection
from banzu.presentations.models import Event, Room, Slot
from banzu.review.enums import AssignmentSource, AssignmentState
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from tests.conftest import SHANGHAI, client_for
from tests.factories import EnterpriseFactory, UserFactory
from tests.presentations.conftest import make_expert, scored_application

START = timezone.make_aware(dt.datetime(2026, 12, 10, 9, 0))


@dataclass
class Fresh:
    event: Event
    rooms: list[Room]
    slots: list[Slot]  # presenting, by recommendation number


def fresh_event(edition, *, rooms: int = 2, teams: int = 5, industries=None, **settings) -> Fresh:
    """An event being set up: rooms in set-up, `teams` scored applications presenting, no room
    assigned yet (the fast way, through the models)."""
    event = Event.objects.create(
        edition=edition, starts_on=START.date(), venue="杭州国际博览中心", **settings
    )
    room_list = [
        Room.objects.create(
            event=event,
            position=i + 1,
            name=f"第{'一二三四'[i]}分会场",
            place=f"{'ABCD'[i]}厅",
            starts_at=START,
        )
        for i in range(rooms)
    ]
    slots = []
    for i in range(teams):
        industry = industries[i] if industries else "房屋建筑工程"
        application = scored_application(
            i + 1, edition=edition, team__enterprise=EnterpriseFactory(industry=industry)
        )
        slots.append(Slot.objects.create(event=event, application=application))
    return Fresh(event, room_list, slots)


def points_for(edition, total: D) -> dict[int, ItemInput]:
    """Rubric points adding up to `total`, the shortfall taken from the largest items first."""
    items = list(edition.rubric_items.order_by("position"))
    points = {item.pk: item.max_points for item in items}
    shortfall = sum(points.values()) - total
    for item in sorted(items, key=lambda item: -item.max_points):
        taken = min(shortfall, points[item.pk])
        points[item.pk] -= taken
        shortfall -= taken
    return {pk: ItemInput(value, "评语") for pk, value in points.items()}


def materials_scored(application, total: str, username: str) -> None:
    """One expert's submitted materials sheet on the application (a confirmed assignment)."""
    expert = make_expert(username)
    Assignment.objects.create(
        application=application,
        expert=expert,
        state=AssignmentState.CONFIRMED,
        source=AssignmentSource.MANUAL,
    )
    save_sheet(
        application=application,
        scorer=expert,
        stage=SheetStage.MATERIALS,
        items=points_for(application.edition, D(total)),
        expected_version=None,
        submit=True,
        overall_comment="总体评价",
        now=dt.datetime(2026, 5, 20, 9, 30, tzinfo=SHANGHAI),
    )


@pytest.fixture
def three_scored(edition):
    """Three scored applications with materials scores 90, 80 and 70, and one still under
    review (it never gets a slot)."""
    apps = []
    for number, total in ((1, "90"), (2, "80"), (3, "70")):
        application = scored_application(number, edition=edition)
        materials_scored(application, total, f"m{number}")
        apps.append(application)
    scored_application(4, edition=edition, state=ApplicationState.UNDER_REVIEW)
    event = Event.objects.create(edition=edition, starts_on=START.date(), venue="杭州")
    return event, apps


def slot_rows(event):
    return [
        (slot.application.recommendation_number, slot.presenting, slot.not_presenting_reason)
        for slot in Slot.objects.filter(event=event).order_by("application__recommendation_number")
    ]


# --- Settings ---------------------------------------------------------------------------------

EVENT_POST = {
    "starts_on": "2026-12-10",
    "ends_on": "2026-12-11",
    "venue": "杭州国际博览中心",
    "presentation_minutes": "12",
    "question_minutes": "3",
    "warning_minutes": "2",
    "changeover_minutes": "2",
    "panel_size": "5",
    "selection": "best_n",
    "selection_count": "30",
    "selection_min_score": "",
    "show_score": "after_team",
    "fairness_flag": "1.50",
}


def test_admin_saves_the_event_settings_and_the_journal_names_them(edition, admin_user):
    response = client_for(admin_user).post(reverse("presentations:setup_event"), EVENT_POST)

    event = Event.objects.get(edition=edition)
    entry = AuditEntry.objects.get(action="presentations.event_saved")
    assert response.status_code == 302
    assert response["Location"] == reverse("presentations:setup_event")
    assert (
        event.starts_on,
        event.ends_on,
        event.venue,
        event.presentation_minutes,
        event.question_minutes,
        event.warning_minutes,
        event.changeover_minutes,
        event.panel_size,
        event.selection,
        event.selection_count,
        event.selection_min_score,
        event.group_by_industry,
        event.show_score,
        event.fairness_flag,
    ) == (
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 11),
        "杭州国际博览中心",
        12,
        3,
        2,
        2,
        5,
        Selection.BEST_N,
        30,
        None,
        False,
        "after_team",
        D("1.50"),
    )
    assert (entry.actor_id, entry.data["created"], entry.data["fields"]["selection_count"]) == (
        admin_user.pk,
        True,
        30,
    )


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"panel_size": "2"}, "panel_size", "Ensure this value is greater than or equal to 3."),
        (
            {"warning_minutes": "12"},
            "warning_minutes",
            "The warning must come before the presentation time ends.",
        ),
        ({"selection_count": ""}, "selection_count", "Say how many of the best present."),
        ({"ends_on": "2026-12-09"}, "ends_on", "The last day cannot be before the first."),
        (
            {"selection": "min_score", "selection_min_score": "120"},
            "selection_min_score",
            "A materials score is out of 100.",
        ),
    ],
)
def test_settings_form_refuses_what_cannot_be(edition, admin_user, change, field, message):
    response = client_for(admin_user).post(
        reverse("presentations:setup_event"), EVENT_POST | change
    )

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert Event.objects.filter(edition=edition).exists() is False


# --- Who presents -----------------------------------------------------------------------------


def test_every_scored_application_presents_by_default(three_scored, admin_user):
    event, _apps = three_scored

    result = setup.select_presenters(event=event, by=admin_user)

    assert result == setup.Selected(presenting=3, not_presenting=0)
    assert slot_rows(event) == [
        ("杭-2026-001", True, ""),
        ("杭-2026-002", True, ""),
        ("杭-2026-003", True, ""),
    ]


def test_best_n_lists_the_others_with_their_rank(three_scored, admin_user):
    event, _apps = three_scored
    event.selection, event.selection_count = Selection.BEST_N, 2
    event.save()

    setup.select_presenters(event=event, by=admin_user)

    entry = AuditEntry.objects.get(action="presentations.selection_saved")
    assert slot_rows(event) == [
        ("杭-2026-001", True, ""),
        ("杭-2026-002", True, ""),
        ("杭-2026-003", False, "rank 3, not among the best 2"),
    ]
    assert (entry.data["presenting"], entry.data["not_presenting"]) == (2, 1)


def test_minimum_score_lists_the_others_with_their_score(three_scored, admin_user):
    event, _apps = three_scored
    event.selection, event.selection_min_score = Selection.MIN_SCORE, D("75")
    event.save()

    setup.select_presenters(event=event, by=admin_user)

    assert slot_rows(event) == [
        ("杭-2026-001", True, ""),
        ("杭-2026-002", True, ""),
        ("杭-2026-003", False, "materials score 70.00 below 75.00"),
    ]


def test_a_team_that_stops_presenting_leaves_its_room(three_scored, admin_user):
    event, _apps = three_scored
    room = Room.objects.create(event=event, position=1, name="第一分会场", starts_at=START)
    setup.select_presenters(event=event, by=admin_user)
    Slot.objects.filter(event=event).update(room=room)
    event.selection, event.selection_count = Selection.BEST_N, 1
    event.save()

    setup.select_presenters(event=event, by=admin_user)

    assert list(
        Slot.objects.filter(event=event).order_by("application_id").values_list("room", flat=True)
    ) == [room.pk, None, None]


def test_selection_is_refused_once_a_room_is_drawn(three_scored, admin_user):
    event, _apps = three_scored
    Room.objects.create(
        event=event, position=1, name="第一分会场", starts_at=START, state=RoomState.DRAWN
    )

    with pytest.raises(ServiceError) as refused:
        setup.select_presenters(event=event, by=admin_user)

    assert refused.value.message == (
        "Who presents cannot change any more: the order of 第一分会场 is drawn."
    )
    assert Slot.objects.filter(event=event).count() == 0


def test_selection_page_lists_both_groups(three_scored, admin_user):
    event, _apps = three_scored
    event.selection, event.selection_count = Selection.BEST_N, 2
    event.save()
    setup.select_presenters(event=event, by=admin_user)

    response = client_for(admin_user).get(reverse("presentations:setup_selection"))

    presenting = [s.application.recommendation_number for s in response.context["presenting"]]
    others = [
        (s.application.recommendation_number, s.not_presenting_reason)
        for s in response.context["not_presenting"]
    ]
    assert (presenting, others) == (
        ["杭-2026-001", "杭-2026-002"],
        [("杭-2026-003", "rank 3, not among the best 2")],
    )
    assert "rank 3, not among the best 2" in response.content.decode()


# --- Rooms and secretaries --------------------------------------------------------------------


def test_admin_adds_a_room_with_a_secretary(edition, admin_user):
    fresh = fresh_event(edition, rooms=1, teams=0)
    secretary = UserFactory(username="sec_new", role="secretary", full_name="新秘书")

    response = client_for(admin_user).post(
        reverse("presentations:setup_room_new"),
        {
            "name": "第二分会场",
            "place": "B厅",
            "starts_at": "2026-12-10T13:30",
            "secretary": secretary.pk,
        },
    )

    room = Room.objects.get(event=fresh.event, name="第二分会场")
    assert response.status_code == 302
    assert (room.position, room.place, room.secretary, room.state) == (
        2,
        "B厅",
        secretary,
        RoomState.SETUP,
    )
    assert timezone.localtime(room.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-12-10 13:30"
    assert (
        AuditEntry.objects.filter(action="presentations.room_created", target_id=room.pk).count()
        == 1
    )


def test_a_secretary_is_bound_to_one_room_of_the_event(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=0)
    secretary = UserFactory(username="sec_one", role="secretary", full_name="秘书丙")
    setup.save_room(
        event=fresh.event, by=admin_user, room=fresh.rooms[0], fields={"secretary": secretary}
    )

    with pytest.raises(ServiceError) as refused:
        setup.save_room(
            event=fresh.event, by=admin_user, room=fresh.rooms[1], fields={"secretary": secretary}
        )

    assert refused.value.message == "秘书丙 is already the secretary of 第一分会场."
    fresh.rooms[1].refresh_from_db()
    assert fresh.rooms[1].secretary is None


def test_only_a_secretary_account_can_be_bound(edition, admin_user, applicant_a):
    fresh = fresh_event(edition, rooms=1, teams=0)

    with pytest.raises(ServiceError) as refused:
        setup.save_room(
            event=fresh.event, by=admin_user, room=fresh.rooms[0], fields={"secretary": applicant_a}
        )

    assert refused.value.field_errors == {"secretary": "Choose a room secretary account."}


def test_admin_creates_a_secretary_account(edition, admin_user):
    fresh_event(edition, rooms=1, teams=0)

    response = client_for(admin_user).post(
        reverse("presentations:setup_secretary_new"),
        {
            "username": "mishu",
            "full_name": "会场秘书",
            "email": "mishu@example.com",
            "password": "a-long-pass-123",
        },
    )

    from banzu.accounts.models import User

    user = User.objects.get(username="mishu")
    assert response.status_code == 302
    assert (user.role, user.full_name, user.check_password("a-long-pass-123")) == (
        "secretary",
        "会场秘书",
        True,
    )
    assert sorted(
        AuditEntry.objects.filter(target_id=user.pk).values_list("action", flat=True)
    ) == ["account.create", "presentations.secretary_created"]


def test_a_drawn_room_cannot_be_edited_or_deleted(edition, admin_user):
    fresh = fresh_event(edition, rooms=1, teams=0)
    Room.objects.filter(pk=fresh.rooms[0].pk).update(state=RoomState.DRAWN)
    room = Room.objects.get(pk=fresh.rooms[0].pk)

    with pytest.raises(ServiceError) as edit:
        setup.save_room(event=fresh.event, by=admin_user, room=room, fields={"place": "C厅"})
    with pytest.raises(ServiceError) as delete:
        setup.delete_room(room=room, by=admin_user)

    assert (edit.value.message, delete.value.message) == (
        "The room cannot change: the order of 第一分会场 is already drawn.",
        "The room cannot be deleted: the order of 第一分会场 is already drawn.",
    )


def test_deleting_a_room_sends_its_teams_back_to_wait(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=4)
    setup.distribute(event=fresh.event, by=admin_user)

    setup.delete_room(room=fresh.rooms[1], by=admin_user)

    assert list(fresh.event.rooms.values_list("name", flat=True)) == ["第一分会场"]
    assert sorted(
        Slot.objects.filter(event=fresh.event).values_list("room", flat=True),
        key=lambda pk: pk or 0,
    ) == [None, None, fresh.rooms[0].pk, fresh.rooms[0].pk]
    entry = AuditEntry.objects.get(action="presentations.room_deleted")
    assert (entry.data["name"], entry.data["teams_unassigned"]) == ("第二分会场", 2)


# --- Distribution -----------------------------------------------------------------------------


def test_distribution_deals_the_teams_round_the_rooms_in_number_order(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=5)

    counts = setup.distribute(event=fresh.event, by=admin_user)

    by_room = {
        room.name: list(
            Slot.objects.filter(room=room)
            .order_by("application__recommendation_number")
            .values_list("application__recommendation_number", flat=True)
        )
        for room in fresh.rooms
    }
    assert counts == {"第一分会场": 3, "第二分会场": 2}
    assert by_room == {
        "第一分会场": ["杭-2026-001", "杭-2026-003", "杭-2026-005"],
        "第二分会场": ["杭-2026-002", "杭-2026-004"],
    }


def test_plan_distribution_keeps_industries_together_and_counts_balanced():
    teams = [
        (1, "市政", "杭-2026-001"),
        (2, "房建", "杭-2026-002"),
        (3, "房建", "杭-2026-003"),
        (4, "安装", "杭-2026-004"),
        (5, "房建", "杭-2026-005"),
        (6, "市政", "杭-2026-006"),
        (7, "房建", "杭-2026-007"),
    ]

    plan = setup.plan_distribution(teams, 2, by_industry=True)

    # 房建 (4) first, then 市政 (2) and 安装 (1): cut into 4 + 3.
    assert plan == [[2, 3, 5, 7], [1, 6, 4]]


@pytest.mark.parametrize(("teams", "rooms"), [(0, 1), (1, 3), (7, 3), (30, 8), (35, 4)])
def test_balanced_counts_differ_by_at_most_one(teams, rooms):
    counts = setup.balanced_counts(teams, rooms)

    assert (sum(counts), max(counts) - min(counts) <= 1, len(counts)) == (teams, True, rooms)


def test_distribution_by_industry_through_the_service(edition, admin_user):
    fresh = fresh_event(
        edition,
        rooms=2,
        teams=4,
        industries=["市政公用工程", "房屋建筑工程", "市政公用工程", "房屋建筑工程"],
        group_by_industry=True,
    )

    setup.distribute(event=fresh.event, by=admin_user)

    assert [
        sorted(
            set(
                Slot.objects.filter(room=room).values_list(
                    "application__team__enterprise__industry", flat=True
                )
            )
        )
        for room in fresh.rooms
    ] == [["市政公用工程"], ["房屋建筑工程"]]


def test_the_admin_moves_a_team_by_hand_before_the_draw(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=4)
    setup.distribute(event=fresh.event, by=admin_user)
    slot = Slot.objects.get(pk=fresh.slots[0].pk)

    response = client_for(admin_user).post(
        reverse("presentations:setup_move", args=[slot.pk]), {"room": fresh.rooms[1].pk}
    )

    slot.refresh_from_db()
    entry = AuditEntry.objects.get(action="presentations.team_moved")
    assert response.status_code == 302
    assert slot.room == fresh.rooms[1]
    assert entry.data == {"from": fresh.rooms[0].pk, "to": fresh.rooms[1].pk}


def test_a_team_cannot_move_into_a_drawn_room(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=4)
    setup.distribute(event=fresh.event, by=admin_user)
    Room.objects.filter(pk=fresh.rooms[1].pk).update(state=RoomState.DRAWN)

    with pytest.raises(ServiceError) as refused:
        setup.move_slot(
            slot=fresh.slots[0], room=Room.objects.get(pk=fresh.rooms[1].pk), by=admin_user
        )

    assert (
        refused.value.message == "The team cannot move: the order of 第二分会场 is already drawn."
    )
    assert Slot.objects.get(pk=fresh.slots[0].pk).room == fresh.rooms[0]


def test_distribution_is_refused_once_a_room_is_drawn(edition, admin_user):
    fresh = fresh_event(edition, rooms=2, teams=4)
    Room.objects.filter(pk=fresh.rooms[0].pk).update(state=RoomState.DRAWN)

    with pytest.raises(ServiceError) as refused:
        setup.distribute(event=fresh.event, by=admin_user)

    assert refused.value.message == (
        "The distribution cannot change any more: the order of 第一分会场 is drawn."
    )
