"""Every page of the event is reachable from the site: the admin's event tabs (setup, then the
day's board, consoles, paper sheets and results), the closed room's score summary from its
console, the chair's page from the chair's sheet, and the experts' scoring from the site nav."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from banzu.presentations import live
from tests.conftest import client_for
from tests.presentations.test_close_room import run_room


def day_links(html: str) -> list[tuple[str, bool]]:
    """The "on the day" row of the event tabs: (href, is the current page) in order."""
    found = re.search(r'<nav class="event-links"[^>]*>(.*?)</nav>', html, re.S)
    assert found is not None
    return [
        (href, bool(current))
        for href, current in re.findall(
            r'<a href="([^"]+)"( aria-current="page")?>', found.group(1)
        )
    ]


def nav_links(html: str) -> list[str]:
    found = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S)
    assert found is not None
    return re.findall(r'<a href="([^"]+)">', found.group(1))


# --- The admin's event tabs -------------------------------------------------------------------


def test_setup_tabs_lead_to_the_board_each_console_the_paper_sheets_and_the_results(
    world, admin_user
):
    html = client_for(admin_user).get(reverse("presentations:setup_rooms")).content.decode()

    assert day_links(html) == [
        ("/event/board/", False),
        (f"/event/rooms/{world.room_a.pk}/console/", False),
        (f"/event/rooms/{world.room_b.pk}/console/", False),
        ("/event/paper/", False),
        ("/event/results/", False),
    ]
    assert 'href="/event/setup/rooms/" aria-current="page"' in html


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/event/board/", 0),
        ("/event/paper/", 3),
        ("/event/results/", 4),
    ],
)
def test_the_days_pages_carry_the_same_tabs_marking_their_own(world, admin_user, url, current):
    html = client_for(admin_user).get(url).content.decode()

    links = day_links(html)
    assert [href for href, _ in links] == [
        "/event/board/",
        f"/event/rooms/{world.room_a.pk}/console/",
        f"/event/rooms/{world.room_b.pk}/console/",
        "/event/paper/",
        "/event/results/",
    ]
    assert [is_current for _, is_current in links] == [i == current for i in range(5)]
    assert 'href="/event/setup/"' in html


def test_the_admins_console_marks_its_room_in_the_tabs(world, admin_user):
    html = (
        client_for(admin_user)
        .get(reverse("presentations:console", args=[world.room_b.pk]))
        .content.decode()
    )

    assert [current for _, current in day_links(html)] == [False, False, True, False, False]


def test_the_secretarys_console_has_no_event_tabs(world):
    html = (
        client_for(world.secretary_a)
        .get(reverse("presentations:console", args=[world.room_a.pk]))
        .content.decode()
    )

    assert 'class="event-links"' not in html
    assert "/event/setup/" not in html


def test_the_tabs_of_an_edition_without_rooms_list_no_console(edition, admin_user):
    html = client_for(admin_user).get(reverse("presentations:setup_event")).content.decode()

    assert day_links(html) == [
        ("/event/board/", False),
        ("/event/paper/", False),
        ("/event/results/", False),
    ]


# --- The closed room's score summary from its console -----------------------------------------


def test_the_closed_rooms_console_links_to_its_score_summary(world):
    run_room(world)
    live.close_room(room=world.room_a, by=world.secretary_a)
    client = client_for(world.secretary_a)

    html = client.get(reverse("presentations:console", args=[world.room_a.pk])).content.decode()
    pdf = client.get(f"/event/results/room/{world.room_a.pk}/summary.pdf")

    assert f'href="/event/results/room/{world.room_a.pk}/summary.pdf"' in html
    assert f'href="/event/results/room/{world.room_a.pk}/summary.xlsx"' in html
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")


def test_a_running_rooms_console_has_no_summary_link(world):
    html = (
        client_for(world.secretary_a)
        .get(reverse("presentations:console", args=[world.room_a.pk]))
        .content.decode()
    )

    assert "/summary.pdf" not in html
    assert "/summary.xlsx" not in html


# --- The chair's page and the experts' nav ----------------------------------------------------


def test_the_chairs_scoring_page_links_to_the_chair_page(world):
    chair, member = world.panel_a[0], world.panel_a[1]
    chair_url = f'href="/event/rooms/{world.room_a.pk}/chair/"'

    as_chair = client_for(chair).get(reverse("presentations:score", args=[world.room_a.pk]))
    as_member = client_for(member).get(reverse("presentations:score", args=[world.room_a.pk]))

    assert chair_url in as_chair.content.decode()
    assert chair_url not in as_member.content.decode()


def test_experts_reach_presentation_scoring_from_the_site_nav(world):
    links = nav_links(client_for(world.expert_b).get(reverse("review:mine")).content.decode())

    assert links == ["/", "/review/mine/", "/event/score/"]


@pytest.mark.parametrize("who", ["applicant_a", "admin_user", "secretary_a"])
def test_only_experts_see_presentation_scoring_in_the_nav(world, request, who):
    user = getattr(world, who, None) or request.getfixturevalue(who)

    html = client_for(user).get(reverse("home"), follow=True).content.decode()

    assert "/event/score/" not in nav_links(html)
