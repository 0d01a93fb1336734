"""An anonymous visitor reads the publicity list and files an objection with an evidence file, in
Chromium; screenshots of the public page and the form at 1366 and 390 pixels wide."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.publicity import services
from banzu.publicity.models import Objection, Publicity
from tests.browser.conftest import SCREENSHOTS, browser  # noqa: F401
from tests.factories import PASSWORD
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


def test_the_admin_opens_the_window_upholds_an_objection_and_disqualifies(
    sealed, admin_user, visitor
):
    page = visitor
    main = page.locator("main")
    page.goto("/accounts/login/")
    main.locator("#id_username").fill(admin_user.username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()

    page.goto("/publicity/admin/2026/open/")
    main.locator("#id_starts_on").fill("2026-12-07")
    main.locator("#id_working_days").fill("5")
    main.locator("form.card button[type=submit]").click()
    expect(main.locator("[data-ends-on]")).to_have_attribute("data-ends-on", "2026-12-11")
    shoot(page, "open")
    main.locator("button[name=confirm]").click()
    expect(page).to_have_url(re.compile(r"/publicity/admin/2026/objections/$"))

    objection = services.file_objection(
        Publicity.objects.get(),
        services.ObjectionData(
            objector_kind="person",
            real_name=OBJECTOR["real_name"],
            organisation=OBJECTOR["organisation"],
            phone=OBJECTOR["phone"],
            email=OBJECTOR["email"],
            application_id=sealed.team("甲班组").pk,
            grounds=OBJECTOR["grounds"],
        ),
    )
    page.goto("/publicity/admin/2026/objections/")
    main.locator(f"a:text('{objection.receipt}')").click()
    main.locator("select[name=state]").select_option("upheld")
    main.locator("textarea[name=reply]").fill("经核查，异议成立。")
    main.locator("form:has(input[value=decide]) button").click()
    main.locator("textarea[name=reason]").fill("异议成立：材料雷同")
    shoot(page, "objection")
    main.locator("form:has(input[value=disqualify]) button").click()
    expect(main.locator("form:has(input[value=disqualify])")).to_have_count(0)
    objection.refresh_from_db()
    assert objection.disqualified_version is not None
    assert objection.disqualified_version.number == 2

    page.goto("/publicity/2026/")
    expect(page.locator("table.publicity-list")).not_to_contain_text("甲班组")
    expect(page.locator("table.publicity-list")).to_contain_text("乙班组")
