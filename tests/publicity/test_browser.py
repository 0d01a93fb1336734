"""An anonymous visitor reads the publicity list and files an objection with an evidence file, in
Chromium; screenshots of the public page and the form at 1366 and 390 pixels wide."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.publicity.models import Objection
from tests.browser.conftest import SCREENSHOTS, browser  # noqa: F401
from tests.publicity.conftest import OBJECTOR, pdf_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


@pytest.fixture
def visitor(browser: Browser, live_server: LiveServer) -> Iterator[Page]:  # noqa: F811
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"publicity_{name}_{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_a_visitor_reads_the_list_and_files_an_objection(opened, sealed, visitor, tmp_path):
    page = visitor
    page.goto("/publicity/2026/")
    expect(page.locator("table.publicity-list tbody tr")).to_have_count(5)
    expect(page.locator("body")).to_contain_text("2026-12-07 – 2026-12-11")
    shoot(page, "list")

    page.locator("a[href='/publicity/2026/objection/']").first.click()
    page.locator("input[name=objector_kind][value=person]").check()
    page.fill("input[name=real_name]", OBJECTOR["real_name"])
    page.fill("input[name=organisation]", OBJECTOR["organisation"])
    page.fill("input[name=phone]", OBJECTOR["phone"])
    page.fill("input[name=email]", OBJECTOR["email"])
    page.select_option("select[name=application]", str(sealed.team("乙班组").pk))
    page.fill("textarea[name=grounds]", OBJECTOR["grounds"])
    evidence = Path(tmp_path) / "证据.pdf"
    evidence.write_bytes(pdf_bytes())
    page.set_input_files("input[name=evidence]", str(evidence))
    shoot(page, "form")
    page.locator("form.card button[type=submit]").click()

    receipt = page.locator("[data-receipt]")
    expect(receipt).to_have_count(1)
    objection = Objection.objects.get()
    assert receipt.inner_text() == objection.receipt
    assert objection.application == sealed.team("乙班组")
    assert objection.files.count() == 1
    shoot(page, "received")
