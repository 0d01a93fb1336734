"""Chromium driven through Playwright's sync API against pytest-django's live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


class Screenshot(Protocol):
    def __call__(self, name: str, *, phone: bool = False) -> Path: ...


# The one Chromium of the run. A test module outside tests/browser imports `browser` to use it,
# which makes pytest hold a second session fixture of the same function; Playwright's sync API
# cannot start twice in one thread, so the second one lends the browser the first one started.
_RUNNING: list[Browser] = []


@pytest.fixture(scope="session")
def browser(django_db_setup: None) -> Iterator[Browser]:
    if _RUNNING:
        yield _RUNNING[0]
        return
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an event loop running in the test thread, so Django would
        # refuse the tests' own ORM calls (set-up, final checks) as "async unsafe".
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        _RUNNING.append(browser)
        try:
            yield browser
        finally:
            _RUNNING.clear()
            browser.close()


@pytest.fixture
def context(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    # zh-CN, as an applicant's browser in Zhejiang would send: the UI's default language.
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=DESKTOP)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def screenshot(page: Page) -> Screenshot:
    """Save a full-page PNG of what the page shows now, at desktop width or at phone width."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, phone: bool = False) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        if phone:
            page.set_viewport_size(PHONE)
        page.screenshot(path=str(path), full_page=True)
        if phone:
            page.set_viewport_size(DESKTOP)
        return path

    return take
