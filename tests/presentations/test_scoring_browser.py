"""The phone sheet in Chromium at 390 × 844: the expert types with the stepper, loses the
connection, submits, is told plainly that the server has not received it, and once the
connection returns the sheet arrives exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.audit.models import AuditEntry
from banzu.presentations.enums import SheetState
from banzu.presentations.models import PresentationSheet
from tests.browser.conftest import PHONE, SCREENSHOTS, browser  # noqa: F401 - the fixture
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    main = page.locator("main")
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page.locator("nav .nav-user")).to_be_visible()


def test_a_sheet_submitted_offline_arrives_once_when_the_phone_is_back(
    world,
    browser: Browser,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
):
    member, slot = world.panel_a[1], world.slots_a[0]
    context = browser.new_context(
        base_url=live_server.url, locale="en", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log_in(page, live_server.url, member.username)
    page.goto(f"{live_server.url}/event/rooms/{world.room_a.pk}/score/")
    expect(page.locator(".score-team h1")).to_have_text(slot.application.team.name)

    for _ in range(11):  # 5.5 with the stepper
        page.locator(".score-item[data-position='1'] .step-up").click()
    for position, points in (("2", "4"), ("3", "3.5"), ("4", "2.5"), ("5", "3")):
        page.locator(f"#points_{position}").fill(points)
    expect(page.locator("#score-total")).to_have_text("18.5")
    context.set_offline(True)
    page.locator(".score-submit").click()
    state = page.locator("#score-state")
    expect(state).to_contain_text("Not yet received — will be sent when the connection returns")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "presentation-sheet-offline-phone.png"))
    page.locator(".score-submit").click(force=True)  # a second tap while waiting changes nothing
    assert PresentationSheet.objects.count() == 0

    context.set_offline(False)
    expect(page.locator(".server-has")).to_contain_text("Received by the server at")
    page.screenshot(path=str(SCREENSHOTS / "presentation-sheet-received-phone.png"))

    sheet = PresentationSheet.objects.get()
    assert (sheet.expert, sheet.slot, sheet.state, str(sheet.total)) == (
        member,
        slot,
        SheetState.SUBMITTED,
        "18.5",
    )
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 1
    context.close()
