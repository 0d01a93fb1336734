"""The whole of issue 15 walked in Chromium, as its users would: the admin computes, previews and
seals the results and opens the publicity; an anonymous visitor files an objection with an
evidence file; the admin upholds it, disqualifies the team and sees the new version's
difference; after the window the admin publishes and issues the certificates; the applicant
opens its result and downloads its certificate; an anonymous visitor checks the certificate's
verification link. Screenshots at 1366 and 390 pixels (test-artifacts/screenshots/walk_*.png)
and the certificate rendered to PNG (walk_certificate-1.png)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications.enums import ApplicationState
from banzu.certificates.models import Certificate, VerificationLog
from banzu.publicity import publication, services
from banzu.publicity.models import Objection, Publicity
from banzu.results.models import ResultsVersion
from banzu.results.versions import settings_for
from tests.browser.conftest import SCREENSHOTS
from tests.browser.conftest import browser as browser
from tests.factories import PASSWORD, UserFactory
from tests.publicity.conftest import OBJECTOR, TODAY, pdf_bytes
from tests.results.test_gather import build_results

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AFTER = dt.date(2026, 12, 14)
NOTICE = "浙建质协〔2026〕15号"
WIDTHS = {"1366": (1366, 900), "390": (390, 844)}


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"walk_{name}_{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


@pytest.fixture
def contexts(browser: Browser, live_server: LiveServer) -> Iterator[dict[str, BrowserContext]]:
    made = {
        # The admin reads the English interface (the assertions read the source strings); the
        # public and the applicant read the Chinese one, as their browsers ask.
        "admin": browser.new_context(base_url=live_server.url, locale="en"),
        "visitor": browser.new_context(base_url=live_server.url, locale="zh-CN"),
        "applicant": browser.new_context(
            base_url=live_server.url, locale="zh-CN", accept_downloads=True
        ),
    }
    for context in made.values():
        context.set_default_timeout(15_000)
    yield made
    for context in made.values():
        context.close()


def sign_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/accounts/login/")
    main = page.locator("main")
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page.locator("nav .nav-user")).to_be_visible()
    return page


def test_compute_publicise_object_publish_certify_verify(
    edition, admin_user, contexts, monkeypatch, tmp_path
):
    world = build_results(edition)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.save()
    yi = world.teams["乙班组"]
    UserFactory(username="yi_staff", enterprise=yi.team.enterprise)
    monkeypatch.setattr(services, "today", lambda: TODAY)
    monkeypatch.setattr(publication, "today", lambda: TODAY)

    # The admin previews and seals the results, then opens the publicity window.
    admin = sign_in(contexts["admin"], admin_user.username)
    main = admin.locator("main")
    admin.goto("/results/")
    admin.get_by_role("button", name="Confirm and seal version 1").click()
    expect(admin.locator("h1")).to_have_text("Results version 1 · 2026")
    admin.goto("/publicity/admin/2026/open/")
    main.locator("#id_starts_on").fill("2026-12-07")
    main.locator("#id_working_days").fill("5")
    main.locator("form.card button[type=submit]").click()
    expect(main.locator("[data-ends-on]")).to_have_attribute("data-ends-on", "2026-12-11")
    main.locator("button[name=confirm]").click()
    expect(admin).to_have_url(re.compile(r"/publicity/admin/2026/objections/$"))

    # An anonymous visitor reads the list and objects to 甲班组 with an evidence file.
    visitor = contexts["visitor"].new_page()
    visitor.goto("/publicity/2026/")
    expect(visitor.locator("table.publicity-list")).to_contain_text("甲班组")
    shoot(visitor, "publicity")
    visitor.locator("a[href='/publicity/2026/objection/']").first.click()
    visitor.locator("input[name=objector_kind][value=person]").check()
    for name in ("real_name", "organisation", "phone", "email"):
        visitor.fill(f"input[name={name}]", OBJECTOR[name])
    visitor.select_option("select[name=application]", str(world.teams["甲班组"].pk))
    visitor.fill("textarea[name=grounds]", OBJECTOR["grounds"])
    evidence = Path(tmp_path) / "证据.pdf"
    evidence.write_bytes(pdf_bytes())
    visitor.set_input_files("input[name=evidence]", str(evidence))
    visitor.locator("form.card button[type=submit]").click()
    expect(visitor.locator("[data-receipt]")).to_have_count(1)
    objection = Objection.objects.get()
    assert visitor.locator("[data-receipt]").inner_text() == objection.receipt
    assert objection.files.count() == 1
    shoot(visitor, "receipt")

    # The admin upholds it, disqualifies the team and compares the two versions.
    admin.goto("/publicity/admin/2026/objections/")
    main.locator(f"a:text('{objection.receipt}')").click()
    main.locator("select[name=state]").select_option("upheld")
    main.locator("textarea[name=reply]").fill("经核查，异议成立。")
    main.locator("form:has(input[value=decide]) button").click()
    main.locator("textarea[name=reason]").fill("异议成立：材料雷同")
    main.locator("form:has(input[value=disqualify]) button").click()
    expect(main.locator("form:has(input[value=disqualify])")).to_have_count(0)
    assert ResultsVersion.objects.filter(edition=edition).count() == 2
    admin.goto("/results/versions/")
    admin.get_by_role("button", name="Compare").click()
    expect(main).to_contain_text("Left the ranked list")
    expect(main).to_contain_text("甲班组 (was 1): Disqualified")
    shoot(admin, "diff")

    # Before the window has closed, the publish page says so and offers no form.
    admin.goto("/publicity/admin/2026/publish/")
    expect(main.locator("[data-problems]")).to_contain_text(
        "The publicity window runs until 2026-12-11"
    )
    expect(main.locator("input[name=notice_number]")).to_have_count(0)

    # After the window: the admin publishes and issues the certificates.
    monkeypatch.setattr(services, "today", lambda: AFTER)
    monkeypatch.setattr(publication, "today", lambda: AFTER)
    admin.goto("/publicity/admin/2026/publish/")
    main.locator("input[name=notice_number]").fill(NOTICE)
    main.locator("input[name=notice_date]").fill("2026-12-14")
    main.locator("input[name=confirm]").check()
    shoot(admin, "publish")
    main.get_by_role("button", name="Publish the final results").click()
    expect(main.locator("[data-published]")).to_be_visible()
    assert Publicity.objects.get().published
    yi.refresh_from_db()
    assert yi.state == ApplicationState.PUBLISHED
    admin.goto("/certificates/")
    main.get_by_role("button", name="Issue a certificate to every awarded team").click()
    certificate = Certificate.objects.get(application=yi)
    assert certificate.fields["notice_number"] == NOTICE

    # The public page shows the final list; 甲班组 is not on it.
    visitor.goto("/publicity/2026/")
    expect(visitor.locator("[data-final]")).to_contain_text(NOTICE)
    expect(visitor.locator("table.publicity-list")).not_to_contain_text("甲班组")
    expect(visitor.locator("table.publicity-list")).to_contain_text("乙班组")
    shoot(visitor, "final")

    # The applicant opens its result from its home page and downloads its certificate.
    applicant = sign_in(contexts["applicant"], "yi_staff")
    applicant.goto("/")
    applicant.locator(".certificates-card").get_by_role("link", name="乙班组").click()
    expect(applicant.locator("main")).to_contain_text(certificate.fields["award"])
    shoot(applicant, "result")
    with applicant.expect_download() as download_info:
        applicant.locator(f"a[href='/certificates/{certificate.pk}/pdf/']").first.click()
    pdf = tmp_path / "certificate.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "乙班组" in text
    assert certificate.serial in text
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "60",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(SCREENSHOTS / "walk_certificate"),
        ],
        check=True,
    )

    # Anyone with the QR code's link sees that the certificate is valid; the check is logged.
    visitor.goto(f"/certificates/v/{certificate.token}/")
    expect(visitor.locator(".message-success")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text(certificate.serial)
    shoot(visitor, "verify")
    assert VerificationLog.objects.filter(certificate=certificate).count() == 1
