"""Every main page of every role at a desktop width (1366 px) and a phone width (390 px).

The demo (load_demo, every stage) is built once for the module and served by one live server;
each persona signs in once (a session cookie in its own browser context) and its pages are opened
in turn at both sizes. On each: the document is not wider than the viewport (a wide table scrolls
in its own box, not the page), and no table cell holding text is narrower than about two
characters (the staircase of one character per line). A full-page screenshot of each is saved
under var/screenshots/layout/ to look at.

The module commits the demo for real (the live server's thread reads it through its own
connection) and empties the tables when it ends, as the other browser tests do.
"""

from __future__ import annotations

import contextlib
import importlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import Client
from django.test.utils import override_settings
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pytest_django.live_server_helper import LiveServer

from banzu.accounts.models import Recommender, User
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.demo import materials
from banzu.editions.models import Edition
from banzu.presentations.models import Room
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.screening.models import ArchiveDocument
from tests.conftest import SEED_MIGRATIONS, parse_checks_reused

# The plain database mark has the test database made for the module; the module's own fixture
# commits the demo, so the tests themselves only read.
pytestmark = [pytest.mark.browser, pytest.mark.serial, pytest.mark.django_db]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "layout"
WIDE: ViewportSize = {"width": 1366, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}
SIZES = {"1366": WIDE, "390": PHONE}

DEMO_SETTINGS = {
    "DEBUG": True,  # load_demo refuses otherwise
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}

# What the page measures once loaded: how far the document reaches past the viewport, and every
# table cell holding text whose content box is narrower than two of its characters.
MEASURE = r"""() => {
  const doc = document.documentElement;
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 2 && box.height > 2 && getComputedStyle(el).visibility !== "hidden";
  };
  const label = (text) => text.replace(/\s+/g, " ").slice(0, 24);
  // Cells holding text whose content box is narrower than two of their characters, and cells
  // stacked as blocks (a phone's card) that are far narrower than their table: a staircase.
  const cells = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const text = cell.innerText.trim();
    if ([...text].length < 3 || !shown(cell)) continue;
    const box = cell.getBoundingClientRect();
    const style = getComputedStyle(cell);
    const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const table = cell.closest("table").getBoundingClientRect();
    if (inner < 1.9 * parseFloat(style.fontSize)) {
      cells.push(`${Math.round(inner)}px wide: ${label(text)}`);
    } else if (style.display === "block" && box.width < 0.6 * table.width) {
      const of = `${Math.round(box.width)} of ${Math.round(table.width)}px`;
      cells.push(`stacked ${of}: ${label(text)}`);
    }
  }
  // Short names (up to eight Chinese characters) and recommendation numbers (杭-2026-001) that a
  // table cell breaks over two lines.
  const names = [];
  const walker = document.createTreeWalker(document.querySelector("main") || document.body,
    NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const number = /^[\u3400-\u9fff]{1,3}-\d{4}-\d{3}$/.test(text);
    if (!number && !/^[\u3400-\u9fff\uff08\uff09()·]{2,8}$/.test(text)) continue;
    const cell = node.parentElement.closest("td, th");
    if (!cell || !shown(node.parentElement)) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0)
      .map((r) => Math.round(r.top)));
    if (tops.size > 1) names.push(text);
  }
  const wide = [];
  if (doc.scrollWidth > window.innerWidth) {
    for (const el of document.querySelectorAll("body *")) {
      const box = el.getBoundingClientRect();
      if (box.right > window.innerWidth + 1 && box.width > 0) {
        const name = el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
          + (el.classList.length ? "." + [...el.classList].join(".") : "");
        wide.push(`${name} to ${Math.round(box.right)}px`);
      }
    }
  }
  return {scrollWidth: doc.scrollWidth, viewport: window.innerWidth, cells, names,
    wide: wide.slice(0, 8)};
}"""


@dataclass
class Site:
    url: str
    sessions: dict[str, str]  # persona: its session key, committed with the demo
    ids: dict[str, Any]
    contexts: dict[str, BrowserContext] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)


def _demo_ids(users: dict[str, User]) -> dict[str, Any]:
    hz = Recommender.objects.get(short_name="杭州")
    submitted = Application.objects.filter(
        edition__year=2026, recommender=hz, state=ApplicationState.SUBMITTED
    ).order_by("pk")[0]
    own = Application.objects.filter(created_by=users["applicant"], edition__year=2026).order_by(
        "pk"
    )[0]
    confirmed = Assignment.objects.filter(
        expert=users["expert"], state=AssignmentState.CONFIRMED
    ).order_by("pk")[0]
    pending = (
        Assignment.objects.filter(expert=users["expert"], state=AssignmentState.PENDING)
        .order_by("pk")
        .first()
    )
    assert pending is not None
    room = Room.objects.get(name="第一分会场", event__edition__year=2026)
    screened = (
        Application.objects.filter(edition__year=2026, recommendation_number__isnull=False)
        .order_by("pk")
        .first()
    )
    assert screened is not None
    pdf = Document.objects.get(
        application_id=confirmed.application_id,
        kind=DocumentKind.MATERIALS_PDF,
        superseded_at__isnull=True,
    )
    # The demo's plagiarism cases (banzu.demo.materials): the copier of a 2024 archive document
    # and the mutual pair of 2026 applications.
    planted = {
        who: Application.objects.get(
            edition__year=who[0], team__enterprise__name=who[1], team__name=who[2]
        ).pk
        for who in (materials.COPIER, *materials.MUTUAL)
    }
    return {
        "copied": planted[materials.COPIER],
        "copied_source": ArchiveDocument.objects.get(enterprise_name=materials.SOURCE[1]).pk,
        "mutual": planted[materials.MUTUAL[0]],
        "mutual_other": planted[materials.MUTUAL[1]],
        "submitted": submitted.pk,
        "own": own.pk,
        "confirmed": confirmed.application_id,
        "confirmed_pdf": pdf.pk,
        "pending": pending.application_id,
        "edition": Edition.objects.get(year=2026).pk,
        "room": room.pk,
        "screen": room.screen_token,
        "recommended": screened.pk,
    }


@pytest.fixture(scope="module")
def site(
    django_db_setup: None, django_db_blocker: Any, browser: Browser, tmp_path_factory: Any
) -> Iterator[Site]:
    files = tmp_path_factory.mktemp("layout-files")
    with (
        django_db_blocker.unblock(),
        override_settings(PRIVATE_FILES_ROOT=files, **DEMO_SETTINGS),
        parse_checks_reused(),
    ):
        call_command("load_demo", stdout=io.StringIO())
        users = {
            name: User.objects.get(username=name)
            for name in ("admin", "recommender", "applicant", "expert", "secretary")
        }
        # Signed in here, not in a test: a test's own transaction is rolled back, and the live
        # server's thread would never see a session row written inside it.
        sessions = {}
        for persona, user in users.items():
            client = Client()
            client.force_login(user)
            sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
        # Each test's own transaction (the plain database mark) only reads: begun DEFERRED, it
        # takes no write lock on SQLite, so the server's thread can still write (its audit
        # entries, its sessions) while a test runs.
        connection = connections[DEFAULT_DB_ALIAS]
        mode = getattr(connection, "transaction_mode", None)
        if connection.vendor == "sqlite":
            connection.transaction_mode = "DEFERRED"
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        site = Site(url=server.url, sessions=sessions, ids=_demo_ids(users))
        try:
            yield site
        finally:
            for context in site.contexts.values():
                context.close()
            server._live_server_modified_settings.disable()
            server.stop()
            if connection.vendor == "sqlite":
                connection.transaction_mode = mode
            call_command("flush", interactive=False, verbosity=0)
            for module in SEED_MIGRATIONS:  # as tests/conftest.py puts them back
                importlib.import_module(module).seed(django_apps, None)


def _page(site: Site, browser: Browser, persona: str) -> Page:
    """The persona's one page, signed in once (its session cookie), reused for all its pages."""
    if persona not in site.pages:
        context = browser.new_context(base_url=site.url, locale="zh-CN", viewport=WIDE)
        context.set_default_timeout(60_000)  # the busiest pages, on a busy machine
        if persona != "anonymous":
            session = {"name": settings.SESSION_COOKIE_NAME, "value": site.sessions[persona]}
            context.add_cookies([{**session, "url": site.url}])
        site.contexts[persona] = context
        site.pages[persona] = context.new_page()
    return site.pages[persona]


@dataclass(frozen=True)
class Screen:
    name: str
    persona: str
    path: str  # formatted with the demo's ids
    marks: tuple[Any, ...] = ()


def _overflow(what: str) -> tuple[Any, ...]:
    """A page another change is mending: strict, so the mark fails once the page fits."""
    return (pytest.mark.xfail(strict=True, reason=what),)


SCREENS = [
    # Public pages and signing in.
    Screen("public-home", "anonymous", "/"),
    Screen("login", "anonymous", "/accounts/login/"),
    Screen("register", "anonymous", "/accounts/register/"),
    Screen("publicity-2025", "anonymous", "/publicity/2025/"),
    Screen("publicity-object", "anonymous", "/publicity/2025/objection/"),
    Screen("publicity-status", "anonymous", "/publicity/objection-status/"),
    Screen("event-screen", "anonymous", "/event/screen/{screen}/"),
    # The applicant.
    Screen("applicant-home", "applicant", "/"),
    Screen("applicant-list", "applicant", "/applications/"),
    Screen("applicant-application", "applicant", "/applications/{own}/"),
    Screen("applicant-edit", "applicant", "/applications/{own}/edit/"),
    Screen("applicant-files", "applicant", "/applications/{own}/files/"),
    Screen("applicant-start", "applicant", "/applications/new/"),
    Screen("applicant-enterprise", "applicant", "/accounts/enterprise/"),
    # The recommender (杭州).
    Screen("recommender-home", "recommender", "/"),
    Screen("recommender-list", "recommender", "/recommend/"),
    Screen("recommender-review", "recommender", "/recommend/applications/{submitted}/"),
    Screen("recommender-score", "recommender", "/recommend/applications/{submitted}/score/"),
    Screen("recommender-batch", "recommender", "/recommend/batch/"),
    # The provincial admin: overview, screening, the expert review, the event, results.
    Screen("admin-home", "admin", "/"),
    Screen("admin-applications", "admin", "/applications/"),
    Screen("admin-recommendations", "admin", "/recommend/board/"),
    Screen("screening-workspace", "admin", "/screening/"),
    Screen("screening-decide", "admin", "/screening/applications/{recommended}/decide/"),
    Screen("screening-summary", "admin", "/screening/summary/"),
    Screen("screening-settings", "admin", "/screening/settings/"),
    Screen("screening-archive", "admin", "/screening/jobs/archive/"),
    Screen("screening-report-copied", "admin", "/screening/reports/{copied}/"),
    Screen(
        "screening-side-by-side-copied",
        "admin",
        "/screening/reports/{copied}/sources/archive/{copied_source}/",
    ),
    Screen("screening-report-mutual", "admin", "/screening/reports/{mutual}/"),
    Screen(
        "screening-side-by-side-mutual",
        "admin",
        "/screening/reports/{mutual}/sources/application/{mutual_other}/",
    ),
    Screen("review-board", "admin", "/review/"),
    Screen("review-assign", "admin", "/review/assign/"),
    Screen("review-application", "admin", "/review/applications/{confirmed}/"),
    Screen("review-results", "admin", "/review/results/"),
    Screen("review-experts", "admin", "/review/experts/"),
    Screen("review-expert-new", "admin", "/review/experts/new/"),
    Screen("manage-users", "admin", "/manage/users/"),
    Screen("manage-user-new", "admin", "/manage/users/new/"),
    Screen("manage-recommenders", "admin", "/manage/recommenders/"),
    Screen("manage-editions", "admin", "/manage/editions/"),
    Screen("manage-edition", "admin", "/manage/editions/{edition}/"),
    Screen("event-setup", "admin", "/event/setup/"),
    Screen("event-selection", "admin", "/event/setup/selection/"),
    Screen("event-rooms", "admin", "/event/setup/rooms/"),
    Screen("event-panels", "admin", "/event/setup/panels/"),
    Screen("event-draw", "admin", "/event/setup/draw/"),
    Screen("event-schedule", "admin", "/event/setup/schedule/"),
    Screen("event-board", "admin", "/event/board/"),
    Screen("event-paper", "admin", "/event/paper/"),
    Screen("event-results", "admin", "/event/results/"),
    Screen("results-2025", "admin", "/results/?edition=2025"),
    Screen("results-settings-2025", "admin", "/results/settings/?edition=2025"),
    Screen("results-versions-2025", "admin", "/results/versions/?edition=2025"),
    Screen("results-version-2025", "admin", "/results/versions/1/?edition=2025"),
    Screen("publicity-open-2025", "admin", "/publicity/admin/2025/open/?edition=2025"),
    Screen("publicity-objections-2025", "admin", "/publicity/admin/2025/objections/?edition=2025"),
    Screen("certificates", "admin", "/certificates/?edition=2025"),
    # The expert.
    Screen("expert-home", "expert", "/"),
    Screen("expert-mine", "expert", "/review/mine/"),
    Screen("expert-declare", "expert", "/review/mine/{pending}/declare/"),
    Screen("expert-sheet", "expert", "/review/mine/{confirmed}/"),
    Screen("expert-event-sheet", "expert", "/event/rooms/{room}/score/"),
    # The room secretary.
    Screen("secretary-home", "secretary", "/"),
    Screen("secretary-console", "secretary", "/event/rooms/{room}/console/"),
]


@pytest.mark.parametrize("screen", [pytest.param(s, id=s.name, marks=s.marks) for s in SCREENS])
def test_the_page_fits_a_desktop_and_a_phone(site: Site, browser: Browser, screen: Screen):
    url = screen.path.format(**site.ids)
    page = _page(site, browser, screen.persona)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for label, size in SIZES.items():
        page.set_viewport_size(size)
        response = page.goto(site.url + url)
        assert response is not None
        assert response.status == 200, f"{url} answered {response.status}"
        assert page.url == site.url + url, f"{url} went on to {page.url}"
        with contextlib.suppress(PlaywrightTimeout):  # a console polls; the page is drawn
            page.wait_for_load_state("networkidle", timeout=5_000)
        page.screenshot(path=str(SCREENSHOTS / f"{screen.name}-{label}.png"), full_page=True)
        seen = page.evaluate(MEASURE)
        if seen["scrollWidth"] > seen["viewport"]:
            problems.append(
                f"{label}: the page is {seen['scrollWidth']} px wide: {', '.join(seen['wide'])}"
            )
        if seen["cells"]:
            problems.append(f"{label}: table cells too narrow to read: {seen['cells'][:6]}")
        if seen["names"]:
            problems.append(f"{label}: short names broken over two lines: {seen['names'][:6]}")
    assert not problems, "\n".join(problems)


def test_a_phone_offers_to_open_or_download_the_materials_pdf_instead_of_a_blank_frame(
    site: Site, browser: Browser
):
    page = _page(site, browser, "expert")
    sheet = f"{site.url}/review/mine/{site.ids['confirmed']}/"
    files = f"/review/mine/{site.ids['confirmed']}/files/{site.ids['confirmed_pdf']}/"
    frame = page.locator("main iframe")
    open_link = page.locator(f"main a[href='{files}view/'][target=_blank]")
    download = page.locator(f"main a[href='{files}']")

    page.set_viewport_size(PHONE)
    page.goto(sheet)
    expect(frame).to_be_hidden()
    expect(page.locator("main a[target=materials-frame]:visible")).to_have_count(0)  # show here
    expect(open_link).to_be_visible()
    expect(download).to_be_visible()

    page.set_viewport_size(WIDE)
    page.goto(sheet)
    expect(frame).to_be_visible()
