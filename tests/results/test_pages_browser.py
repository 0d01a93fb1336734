"""The admin's results pages in Chromium at 1366 and 390 pixels wide: the preview's tiers with
the stability marks, confirm and seal, the versions and the difference after a disqualification
(screenshots in test-artifacts/screenshots/results_*.png)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from tests.browser.conftest import PHONE, SCREENSHOTS
from tests.browser.conftest import browser as browser
from tests.factories import PASSWORD
from tests.results.test_gather import build_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP: ViewportSize = {"width": 1366, "height": 768}


@pytest.fixture
def admin_page(browser: Browser, live_server: LiveServer, admin_user) -> Iterator[Page]:
    context: BrowserContext = browser.new_context(
        base_url=live_server.url, locale="en", viewport=LAPTOP
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/accounts/login/")
    main = page.locator("main")
    main.locator("#id_username").fill(admin_user.username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page.locator("nav .nav-user")).to_be_visible()
    yield page
    context.close()


def overflow(page: Page) -> list[str]:
    """What sticks out of the page sideways: the page's own width beyond the viewport, and each
    element that passes the viewport or whose content overflows it visibly, outside a wrapper
    that scrolls (.table-wrap)."""
    found: list[str] = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const out = [];
          if (document.documentElement.scrollWidth > width) {
            out.push(`page ${document.documentElement.scrollWidth}px`);
          }
          for (const element of document.querySelectorAll("body *")) {
            if (element.parentElement.closest(".table-wrap")) continue;
            const clips = ["auto", "scroll", "hidden"].includes(
              getComputedStyle(element).overflowX
            );
            const box = element.getBoundingClientRect();
            const spills = !clips && element.scrollWidth > element.clientWidth + 1;
            if (box.right > width + 1 || spills) {
              out.push(`${element.tagName.toLowerCase()}.${element.className}`);
            }
          }
          return out;
        }"""
    )
    return found


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(LAPTOP)
    page.screenshot(path=str(SCREENSHOTS / f"results_{name}_1366.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SCREENSHOTS / f"results_{name}_390.png"), full_page=True)
    assert overflow(page) == []
    page.set_viewport_size(LAPTOP)


def test_preview_seal_and_compare(admin_page: Page, edition, admin_user):
    world = build_results(edition)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.room_award = "最佳发布奖"
    settings.save()
    page = admin_page

    page.goto("/")
    page.locator("nav").get_by_role("link", name="Results", exact=True).click()
    expect(page.locator("h1")).to_have_text("Results · 2026")
    expect(page.locator("main")).to_contain_text(
        "Leaving out 评审专家1's materials sheet moves it to 二等奖."
    )
    shoot(page, "preview")

    page.get_by_role("button", name="Confirm and seal version 1").click()
    expect(page.locator("h1")).to_have_text("Results version 1 · 2026")
    shoot(page, "version")
    assert ResultsVersion.objects.get(edition=edition).number == 1

    application_services.transition(
        world.teams["乙班组"],
        to=ApplicationState.DISQUALIFIED,
        actor=admin_user,
        reason="异议成立：发布内容与申报材料不一致",
    )
    seal(edition, by=admin_user, reason="异议 YY-2026-001 成立，乙班组取消资格")
    page.goto("/results/versions/")
    shoot(page, "versions")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("main")).to_contain_text("Left the ranked list")
    expect(page.locator("main")).to_contain_text("乙班组 (was 2): Disqualified")
    shoot(page, "diff")

    page.goto("/results/settings/")
    shoot(page, "settings")
