"""The setup pages' gate (admin only; 404 and a journal entry for anyone else), the schedule on
the page and as PDF and Excel, and the applicant's drawn slot on their home page."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from banzu.audit.models import AuditEntry
from banzu.presentations import setup, setup_draw
from banzu.presentations.models import Room, Slot
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.presentations.conftest import make_expert, scored_application
from tests.presentations.test_setup import fresh_event

SEED = hashlib.sha256(b"banzu schedule").hexdigest()
PAGES = [
    ("setup_event", []),
    ("setup_selection", []),
    ("setup_rooms", []),
    ("setup_panels", []),
    ("setup_draw", []),
    ("setup_schedule", []),
    ("setup_schedule_file", ["xlsx"]),
    ("setup_room_new", []),
    ("setup_secretary_new", []),
]


@pytest.fixture
def drawn(edition, admin_user, applicant_a):
    """Two rooms with three teams each, room one drawn; team 1 (room one) is applicant A's."""
    fresh = fresh_event(edition, rooms=2, teams=6)
    team = fresh.slots[0].application.team
    team.enterprise = applicant_a.enterprise
    team.save()
    setup.distribute(event=fresh.event, by=admin_user)
    setup_draw.draw_room(room=fresh.rooms[0], by=admin_user, seed=SEED)
    return fresh


@pytest.fixture
def outsiders(db, applicant_a, recommender_hz):
    return {
        "applicant": applicant_a,
        "recommender": recommender_hz,
        "expert": make_expert("outsider_expert"),
        "secretary": UserFactory(username="outsider_sec", role="secretary"),
    }


@pytest.mark.parametrize("persona", ["applicant", "recommender", "expert", "secretary"])
@pytest.mark.parametrize(("name", "args"), PAGES)
def test_setup_pages_do_not_exist_for_anyone_but_the_admin(drawn, outsiders, persona, name, args):
    response = client_for(outsiders[persona]).get(reverse(f"presentations:{name}", args=args))

    denied = AuditEntry.objects.get(action="access.denied")
    assert response.status_code == 404
    assert (denied.actor_id, denied.data) == (
        outsiders[persona].pk,
        {"object": "page", "id": "", "code": "404"},
    )


def test_a_secretary_cannot_draw_their_own_room(drawn):
    secretary = UserFactory(username="sec_a", role="secretary")
    room = drawn.rooms[1]
    Room.objects.filter(pk=room.pk).update(secretary=secretary)

    response = client_for(secretary).post(reverse("presentations:setup_draw_room", args=[room.pk]))

    assert response.status_code == 404
    assert (Room.objects.get(pk=room.pk).state, room.draws.count()) == ("setup", 0)
    assert AuditEntry.objects.filter(action="access.denied", actor_id=secretary.pk).count() == 1


def test_anonymous_visitors_are_sent_to_log_in(db):
    response = client_for(None).get(reverse("presentations:setup_event"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_room_of_another_edition_does_not_exist_here(drawn, admin_user):
    response = client_for(admin_user).post(
        reverse("presentations:setup_room_delete", args=[drawn.rooms[0].pk + 1000])
    )

    denied = AuditEntry.objects.get(action="access.denied")
    assert response.status_code == 404
    assert denied.data == {
        "object": "presentation room",
        "id": str(drawn.rooms[0].pk + 1000),
        "code": "404",
    }


def test_pages_before_the_settings_send_the_admin_to_them(edition, admin_user):
    response = client_for(admin_user).get(reverse("presentations:setup_rooms"), follow=True)

    assert response.redirect_chain == [(reverse("presentations:setup_event"), 302)]
    assert [str(m) for m in response.context["messages"]] == ["Save the event's settings first."]


def test_the_admins_navigation_links_the_event(db, admin_user):
    page = client_for(admin_user).get(reverse("home")).content.decode()

    assert f'<a href="{reverse("presentations:setup_event")}">Presentation event</a>' in page


# --- The schedule -----------------------------------------------------------------------------


def test_the_schedule_page_lists_each_room_in_drawn_order_with_times(drawn, admin_user):
    response = client_for(admin_user).get(reverse("presentations:setup_schedule"))

    rooms = response.context["rooms"]
    first = rooms[0]
    order = list(
        Slot.objects.filter(room=drawn.rooms[0])
        .order_by("position")
        .values_list("application__team__name", flat=True)
    )
    assert [(r.room.name, r.drawn, len(r.rows)) for r in rooms] == [
        ("第一分会场", True, 3),
        ("第二分会场", False, 3),
    ]
    assert [(row.position, f"{row.starts:%H:%M}", row.team) for row in first.rows] == [
        (1, "09:00", order[0]),
        (2, "09:17", order[1]),
        (3, "09:34", order[2]),
    ]
    assert [(row.position, row.starts) for row in rooms[1].rows] == [(None, None)] * 3


def test_the_schedule_page_costs_the_same_queries_for_one_or_three_teams(edition, admin_user):
    fresh = fresh_event(edition, rooms=1, teams=1)
    setup.distribute(event=fresh.event, by=admin_user)
    client = client_for(admin_user)
    client.get(reverse("presentations:setup_schedule"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("presentations:setup_schedule"))
    for number in (2, 3):
        application = scored_application(number, edition=edition)
        Slot.objects.create(event=fresh.event, application=application, room=fresh.rooms[0])
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("presentations:setup_schedule"))

    assert len(three.captured_queries) == len(one.captured_queries)


def test_the_schedule_downloads_as_excel_one_sheet_per_room(drawn, admin_user):
    response = client_for(admin_user).get(
        reverse("presentations:setup_schedule_file", args=["xlsx"])
    )

    book = load_workbook(io.BytesIO(response.content))
    first, second = book.worksheets
    names = list(
        Slot.objects.filter(room=drawn.rooms[0])
        .order_by("position")
        .values_list("application__team__name", "application__recommendation_number")
    )
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('发布会日程_2026.xlsx')}"
    )
    assert book.sheetnames == ["1.第一分会场", "2.第二分会场"]
    assert [c.value for c in first[4]] == [
        "序号",
        "预计时间",
        "推荐编号",
        "班组名称",
        "单位名称",
        "经验名称",
    ]
    assert [
        (row[0], row[1], row[2], row[3]) for row in first.iter_rows(min_row=5, values_only=True)
    ] == [
        (1, "09:00", names[0][1], names[0][0]),
        (2, "09:17", names[1][1], names[1][0]),
        (3, "09:34", names[2][1], names[2][0]),
    ]
    assert (first.freeze_panes, second.freeze_panes) == ("A5", "A5")
    assert first.row_dimensions[5].height == 28.3  # 10 mm
    assert first["A1"].value == "2026 年度浙江省工程建设质量信得过班组发布会日程"
    assert first["A3"].value == "第一分会场 · A厅 · 2026年12月10日 09:00 开始"
    assert [row[0] for row in second.iter_rows(min_row=5, values_only=True)] == [None] * 3


def test_the_schedule_downloads_as_pdf(drawn, admin_user):
    response = client_for(admin_user).get(
        reverse("presentations:setup_schedule_file", args=["pdf"])
    )

    assert (response.status_code, response["Content-Type"], response.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('发布会日程_2026.pdf')}"
    )


def test_a_schedule_in_another_format_does_not_exist(drawn, admin_user):
    response = client_for(admin_user).get(
        reverse("presentations:setup_schedule_file", args=["docx"])
    )

    assert response.status_code == 404
    assert AuditEntry.objects.get(action="access.denied").data == {
        "object": "presentation schedule",
        "id": "docx",
        "code": "404",
    }


# --- The applicant's home page ----------------------------------------------------------------


def test_the_applicant_sees_their_room_position_and_time_once_drawn(drawn, applicant_a):
    slot = Slot.objects.select_related("application__team").get(pk=drawn.slots[0].pk)
    minutes = 17 * (slot.position - 1)

    page = client_for(applicant_a).get(reverse("home")).content.decode()

    assert "Your presentation" in page
    assert f"<dd>{slot.application.team.name}</dd>" in page
    assert "<dd>第一分会场 · A厅 (杭州国际博览中心)</dd>" in page
    assert f"<dd>Number {slot.position} in the room</dd>" in page
    assert f"<dd>about 2026-12-10 {9 + minutes // 60:02d}:{minutes % 60:02d}</dd>" in page


def test_another_applicant_sees_no_slot_of_theirs(drawn, applicant_b):
    page = client_for(applicant_b).get(reverse("home")).content.decode()

    assert "Your presentation" not in page
    assert "第一分会场" not in page


def test_the_applicant_sees_nothing_before_the_draw(edition, admin_user, applicant_a):
    fresh = fresh_event(edition, rooms=1, teams=1)
    team = fresh.slots[0].application.team
    team.enterprise = applicant_a.enterprise
    team.save()
    setup.distribute(event=fresh.event, by=admin_user)

    page = client_for(applicant_a).get(reverse("home")).content.decode()

    assert "Your presentation" not in page


@pytest.mark.parametrize(
    ("name", "args", "tab", "heading"),
    [
        ("setup_event", [], "event", "<h1>Presentation event · 2026</h1>"),
        ("setup_selection", [], "selection", "<h1>Who presents · 2026</h1>"),
        ("setup_rooms", [], "rooms", "<h1>Rooms · 2026</h1>"),
        ("setup_room_new", [], "rooms", "<h1>New room</h1>"),
        ("setup_secretary_new", [], "rooms", "<h1>New secretary account</h1>"),
        ("setup_panels", [], "panels", "<h1>Panels · 2026</h1>"),
        ("setup_draw", [], "draw", "<h1>The draw (抽签) · 2026</h1>"),
        ("setup_schedule", [], "schedule", "<h1>Schedule · 2026</h1>"),
    ],
)
def test_the_admin_reaches_every_setup_page(drawn, admin_user, name, args, tab, heading):
    response = client_for(admin_user).get(reverse(f"presentations:{name}", args=args))

    assert (response.status_code, response.context["tab"]) == (200, tab)
    assert heading in response.content.decode()


def test_the_room_edit_page_shows_the_room(drawn, admin_user):
    room = drawn.rooms[1]

    response = client_for(admin_user).get(reverse("presentations:setup_room_edit", args=[room.pk]))

    assert (response.context["room"], response.context["form"]["name"].value()) == (
        room,
        "第二分会场",
    )


def test_the_rooms_page_costs_the_same_queries_for_one_or_three_teams(edition, admin_user):
    fresh = fresh_event(edition, rooms=1, teams=1)
    setup.distribute(event=fresh.event, by=admin_user)
    client = client_for(admin_user)
    client.get(reverse("presentations:setup_rooms"))

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("presentations:setup_rooms"))
    for number in (2, 3):
        application = scored_application(number, edition=edition)
        Slot.objects.create(event=fresh.event, application=application, room=fresh.rooms[0])
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("presentations:setup_rooms"))

    assert len(three.captured_queries) == len(one.captured_queries)
