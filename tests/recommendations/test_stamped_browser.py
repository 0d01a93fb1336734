"""The recommender uploads the stamped copies in Chromium, as a clerk would: open the batch page,
choose the scan of Attachment 2, upload, read that it is in and what is still missing. Screenshots
of the page at 1366 px and 390 px go to var/screenshots/stamped/."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.recommendations.enums import StampedKind
from banzu.recommendations.models import StampedCopy
from tests.browser.conftest import browser, context, page  # noqa: F401 - the fixtures
from tests.documents.conftest import make_recommended
from tests.factories import PASSWORD
from tests.uploads import samples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots" / "stamped"


def shoot(page: Page, name: str) -> None:  # noqa: F811
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 800})


def test_recommender_uploads_the_stamped_attachment2_and_reads_what_is_missing(
    page: Page,  # noqa: F811
    live_server: LiveServer,
    open_edition,
    hangzhou,
    recommender_hz,
    tmp_path,
):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    scan = samples.make_pdf(tmp_path / "附件2盖章.pdf", pages=2)
    main = page.locator("main")
    page.goto(f"{live_server.url}/accounts/login/")
    main.locator("#id_username").fill(recommender_hz.username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/recommend/batch/")
    shoot(page, "batch-before")

    slot = main.locator("#stamped-a2")
    slot.locator("input[type=file]").set_input_files(str(scan))
    slot.locator("button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/recommend/batch/#stamped")
    expect(main.locator("#stamped-a2")).to_contain_text("附件2盖章.pdf")
    expect(main.locator(".stamped-missing li")).to_have_text(
        ["杭-2026-001 钢筋班：附件1（盖章）.pdf", "杭-2026-002 木工班：附件1（盖章）.pdf"]
    )
    expect(main.locator(f"#stamped-{first.pk}")).to_contain_text("杭-2026-001")
    [copy] = StampedCopy.objects.filter(kind=StampedKind.ATTACHMENT2)
    assert (copy.original_name, copy.size) == ("附件2盖章.pdf", scan.stat().st_size)
    shoot(page, "batch-after")
