"""A whole room of the presentation event in Chromium: the secretary's console (1366 px) opens the
first team and starts the stage timer; the projector's big screen (1920 × 1080, no login, by the
console's token link) counts down the server's time, the same after a reload; five experts on
phones (390 × 844, touch) come in by the console's scoring link, log in and score the team at
once — one submits offline and its sheet arrives exactly once when the phone is back, one taps
submit twice — then the screen shows the team's presentation score (the edition's aggregation)
and the admin's live board follows the room as the secretary opens the next team."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications.enums import DocumentKind
from banzu.audit.models import AuditEntry
from banzu.editions.enums import AggregationRule
from banzu.presentations.enums import SheetState, ShowScore, TimerMarkKind
from banzu.presentations.models import PresentationSheet, TimerMark
from tests.applications.helpers import store_document
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.factories import PASSWORD
from tests.presentations.conftest import build_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PROJECTOR: ViewportSize = {"width": 1920, "height": 1080}
POLL = 10_000  # the pages poll every 2 s (screen), 3 s (console, phone) and 5 s (board)

# What each of the five experts types, item by item (maxima 6, 4, 4, 3, 3 in the 2026 sheet).
POINTS = [
    ["5.5", "4", "3.5", "2.5", "3"],  # 18.5 (item 1 with the stepper)
    ["5", "3.5", "3", "2.5", "2.5"],  # 16.5 (submits offline)
    ["6", "4", "4", "3", "3"],  # 20 (taps submit twice)
    ["4", "3", "3", "2", "2"],  # 14
    ["5", "3.5", "3.5", "2.5", "2"],  # 16.5
]
OFFLINE, TWICE = 1, 2
COMMENT = "表达清楚，数据翔实。"


def expected_score(totals: list[Decimal], *, rule: str, trim_min: int) -> str:
    """The presentation score as the notice's rule gives it, worked out here independently: the
    mean, or with the trimmed rule and at least `trim_min` sheets the mean without one highest
    and one lowest, exactly, then rounded half up to two decimals once."""
    kept = sorted(totals)
    if rule == AggregationRule.TRIMMED_MEAN and len(kept) >= max(trim_min, 3):
        kept = kept[1:-1]
    exact = sum((Fraction(total) for total in kept), Fraction(0)) / len(kept)
    as_decimal = Decimal(exact.numerator) / Decimal(exact.denominator)
    return str(as_decimal.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def clock_seconds(text: str) -> int:
    minutes, seconds = text.strip().split(":")
    return int(minutes) * 60 + int(seconds)


def send_login(page: Page, username: str) -> None:
    """Fill the login form the page shows now and send it (without waiting for the answer)."""
    main = page.locator("main")
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()


def log_in(page: Page, username: str) -> None:
    send_login(page, username)
    expect(page.locator("nav .nav-user")).to_be_visible()


def shoot(page: Page, name: str, *, full_page: bool = True, top: bool = False) -> None:
    """A PNG of what the page shows. `top` scrolls up first: a full-page capture of a scrolled
    phone page would draw the sticky running total over the item it was scrolled to."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if top:
        page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[list[BrowserContext]]:
    """The browser contexts the test opens (each its own device), closed at the end."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def test_a_whole_room_runs_from_console_to_score(
    browser: Browser,
    live_server: LiveServer,
    contexts: list[BrowserContext],
    edition,
    applicant_a,
    admin_user,
    tmp_path,
):
    # The room is drawn and not yet running: the secretary's console opens its first team.
    world = build_event(edition, applicant_a, running=False)
    world.event.show_score = ShowScore.AFTER_TEAM
    world.event.save(update_fields=["show_score"])
    room, first, second = world.room_a, world.slots_a[0], world.slots_a[1]
    ppt = store_document(first.application, DocumentKind.PRESENTATION, tmp_path)
    team, next_team = first.application.team.name, second.application.team.name
    experts = world.panel_a

    def device(viewport: ViewportSize, *, phone: bool = False) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="en",
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    # --- The secretary's console, and the big screen by its token link (no login) -------------
    console = device(LAPTOP)
    console.goto("/accounts/login/")
    log_in(console, world.secretary_a.username)
    console.goto(f"/event/rooms/{room.pk}/console/")
    stage = console.locator(".console-stage")
    expect(stage).to_contain_text("No team is on stage yet.")
    screen_url = console.locator("a.screen-link").get_attribute("href")
    scoring_url = console.locator(".qr figcaption .small").inner_text()
    assert screen_url == f"{live_server.url}/event/screen/{room.screen_token}/"
    assert scoring_url == f"{live_server.url}/event/rooms/{room.pk}/score/"
    screen = device(PROJECTOR)
    screen.goto(screen_url)
    expect(screen.locator(".screen-title")).to_have_text("The presentations will begin shortly.")

    # The console opens the first team: its registered PPT and the file's SHA-256.
    console.locator(".go-on button[type=submit]").click()
    expect(stage.locator(".stage-team strong")).to_have_text(team)
    expect(stage.locator(".sha code")).to_have_text(ppt.sha256)
    expect(stage.locator(".timer-phase")).to_have_text("Not started")
    reason = stage.locator("#absent-current")  # styled like every text box: a real tap target
    assert (reason.bounding_box() or {"height": 0})["height"] >= 36
    stage.get_by_role("button", name="Start", exact=True).click()
    expect(console.locator("ul.messages")).to_contain_text("Timer started.")
    console_display = stage.locator(".timer-display")
    expect(stage.locator(".timer-phase")).to_have_text("Presentation")
    expect(console_display).not_to_have_text("12:00", timeout=3_000)  # it runs
    shoot(console, "presentation-room-console")

    # --- The admin's live board: the room is running, nothing presented, every sheet missing --
    board = device(LAPTOP)
    board.goto("/accounts/login/")
    log_in(board, admin_user.username)
    board.goto("/event/board/")
    room_card = board.locator(f"section.board-room[aria-labelledby='room-{room.pk}']")
    expect(room_card).to_contain_text("0 of 3 presented")
    expect(room_card.locator("p.behind")).to_have_text(
        "5 sheets missing: " + "、".join(e.display_name for e in experts)
    )

    # --- The big screen follows the console and counts the server's time down ----------------
    expect(screen.locator(".screen-team")).to_have_text(team, timeout=POLL)
    timer_box = screen.locator(".stage-timer")
    display = screen.locator(".stage-timer .timer-display")
    expect(timer_box).to_have_class("stage-timer timer-normal")
    expect(screen.locator(".timer-phase")).to_have_text("Presentation")
    before = display.inner_text()
    expect(display).not_to_have_text(before, timeout=3_000)
    after = display.inner_text()
    assert 0 < clock_seconds(before) - clock_seconds(after) <= 2, (before, after)
    assert 11 * 60 < clock_seconds(after) < 12 * 60
    shoot(screen, "presentation-room-screen-timer", full_page=False)
    # A reload (the projector's computer restarted) and a second device show the server's time:
    # the presentation's length less the whole seconds since the recorded start.
    started = TimerMark.objects.get(slot=first, kind=TimerMarkKind.START)
    before = clock_seconds(display.inner_text())
    screen.reload()
    reloaded = clock_seconds(display.inner_text())
    on_console = clock_seconds(console_display.inner_text())
    since_start = (timezone.now() - started.at).total_seconds()
    by_server = world.event.presentation_minutes * 60 - int(since_start)
    assert reloaded <= before, (before, reloaded)  # it went on; it did not start again
    assert abs(reloaded - by_server) <= 1, (reloaded, by_server)
    assert abs(on_console - by_server) <= 1, (on_console, by_server)

    # Ten and a half minutes on (the server's start moved back): the warning, in amber.
    started.at -= dt.timedelta(minutes=10, seconds=30)
    started.save()  # saved like any change, so every page that polls learns of it

    # --- Five phones: the scoring link, log in, the sheet of the team on stage ----------------
    phones = [device(PHONE, phone=True) for _ in experts]
    for phone, expert in zip(phones, experts, strict=True):
        phone.goto(scoring_url)  # what the QR code holds; the login comes first
        expect(phone.locator("main #id_username")).to_be_visible()
        send_login(phone, expert.username)  # all five at once
    for phone in phones:
        expect(phone).to_have_url(scoring_url)  # back where the QR code pointed
        expect(phone.locator(".score-team h1")).to_have_text(team)
        expect(phone.locator("#score-status")).to_contain_text(
            "The server does not have your sheet for this team yet."
        )

    expect(timer_box).to_have_class("stage-timer timer-amber", timeout=POLL)
    expect(screen.locator(".timer-phase")).to_have_text("Presentation: time nearly up")
    assert 30 < clock_seconds(display.inner_text()) <= 90
    shoot(screen, "presentation-room-screen-amber", full_page=False)

    for phone, points in zip(phones, POINTS, strict=True):
        for position, value in enumerate(points, start=1):
            item = phone.locator(f".score-item[data-position='{position}']")
            if phone is phones[0] and position == 1:
                for _ in range(int(Decimal(value) * 2)):  # half a point a tap
                    item.locator(".step-up").tap()
                expect(item.locator(".step-value")).to_have_value(value)
            else:
                item.locator(".step-value").fill(value)
        total = sum((Decimal(p) for p in points), Decimal(0))
        expect(phone.locator("#score-total")).to_have_text(f"{total.normalize():f}")
        phone.locator("#score-comment").fill(COMMENT)
    shoot(phones[0], "presentation-room-phone-typed", full_page=False, top=True)

    # One phone loses the connection and submits: kept on the phone, said plainly.
    offline = phones[OFFLINE]
    offline.context.set_offline(True)
    offline.locator(".score-submit").tap()
    expect(offline.locator("#score-state")).to_contain_text(
        "Not yet received — will be sent when the connection returns"
    )
    client_key = offline.locator("#score-form input[name=client_key]").input_value()
    shoot(offline, "presentation-room-phone-offline", full_page=False)

    # The others submit at once; one of them taps twice quickly.
    for number, phone in enumerate(phones):
        if number == TWICE:
            phone.locator(".score-submit").dblclick()
        elif number != OFFLINE:
            phone.locator(".score-submit").tap()
    for number, phone in enumerate(phones):
        if number != OFFLINE:
            expect(phone.locator(".server-has")).to_contain_text("Received by the server at")
    assert not PresentationSheet.objects.filter(expert=experts[OFFLINE]).exists()
    expect(offline.locator("#score-state")).to_contain_text("Not yet received")

    # Back online: the kept sheet goes out by itself and the page says the server has it.
    offline.context.set_offline(False)
    expect(offline.locator(".server-has")).to_contain_text("Received by the server at")
    expect(offline.locator(".score-points-total")).to_contain_text("16.5 / 20")
    shoot(offline, "presentation-room-phone-received", top=True)

    sheets = {sheet.expert_id: sheet for sheet in PresentationSheet.objects.filter(slot=first)}
    assert len(sheets) == 5
    late = PresentationSheet.objects.get(expert=experts[OFFLINE], slot=first)
    assert (late.state, str(late.client_key)) == (SheetState.SUBMITTED, client_key)
    assert PresentationSheet.objects.filter(expert=experts[TWICE]).count() == 1
    totals = [sum((Decimal(p) for p in points), Decimal(0)) for points in POINTS]
    assert [sheets[e.pk].total for e in experts] == totals
    assert {sheet.state for sheet in sheets.values()} == {SheetState.SUBMITTED}
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 5

    # The same sheet sent again with its key (a retry whose answer was lost) changes nothing.
    twice = sheets[experts[TWICE].pk]
    token = phones[TWICE].locator("input[name=csrfmiddlewaretoken]").first.input_value()
    again = phones[TWICE].request.post(
        f"/event/rooms/{room.pk}/score/submit/",
        headers={
            "Content-Type": "application/json",
            "X-CSRFToken": token,
        },
        data=json.dumps(
            {
                "slot": first.pk,
                "items": [
                    {"position": n, "points": p} for n, p in enumerate(POINTS[TWICE], start=1)
                ],
                "comment": COMMENT,
                "client_key": str(twice.client_key),
            }
        ),
    )
    assert again.status == 200, again.text()
    assert (again.json()["client_key"], again.json()["total"]) == (
        str(twice.client_key),
        str(twice.total),
    )
    assert PresentationSheet.objects.filter(expert=experts[TWICE]).count() == 1
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 5

    # --- The secretary stops the timer; the screen shows the team's score ---------------------
    expect(console.locator(".panel-sheets .sheet-in")).to_have_count(5, timeout=POLL)
    console.reload()  # the go-on form is drawn with the page: no sheet is missing now
    stage.get_by_role("button", name="Stop", exact=True).click()
    expect(stage.locator(".timer-phase")).to_have_text("Stopped")
    score = expected_score(totals, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts)
    assert score == "17.17"  # (18.5 + 16.5 + 16.5) / 3 without the 20 and the 14
    expect(screen.locator(".screen-score strong")).to_have_text(score, timeout=POLL)
    expect(screen.locator(".timer-phase")).to_have_text("Stopped")
    shoot(screen, "presentation-room-screen-score", full_page=False)
    expect(room_card.locator("p.ok")).to_have_text("Every sheet is in.", timeout=POLL)
    expect(room_card.locator("p.behind")).to_have_count(0)
    shoot(board, "presentation-room-board")

    # --- The next team: console, board, screen and phones follow ------------------------------
    console.locator(".go-on button[type=submit]").click()
    expect(stage.locator(".stage-team strong")).to_have_text(next_team)
    expect(room_card).to_contain_text("1 of 3 presented", timeout=POLL)
    expect(room_card).to_contain_text(next_team)
    expect(screen.locator(".screen-team")).to_have_text(next_team, timeout=POLL)
    expect(screen.locator(".screen-score")).to_have_count(0)
    follow: Locator = phones[0].locator(".score-team h1")
    expect(follow).to_have_text(next_team, timeout=POLL)
    shoot(board, "presentation-room-board-next")
