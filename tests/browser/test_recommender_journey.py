"""The recommender's path in Chromium: review, return, score, recommend, Attachment 2, submit."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications import services
from banzu.applications.enums import ApplicationState
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.scoring.models import ScoreSheet
from tests.applications.helpers import make_complete
from tests.browser.conftest import Screenshot
from tests.factories import PASSWORD, ApplicationFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submitted(hangzhou, team_name, tmp_path):
    application = ApplicationFactory(recommender=hangzhou, team=TeamFactory(name=team_name))
    application = make_complete(application, tmp_path)
    return services.submit_application(application=application, user=application.created_by)


def test_recommender_reviews_returns_scores_recommends_and_submits_the_batch(
    page: Page,
    live_server: LiveServer,
    screenshot: Screenshot,
    open_edition,
    hangzhou,
    recommender_hz,
    tmp_path,
):
    # Arrange: two applications submitted to 杭州.
    good = _submitted(hangzhou, "钢筋加工班", tmp_path)
    incomplete = _submitted(hangzhou, "测量放线班", tmp_path)
    main = page.locator("main")

    # Act: log in and open the list.
    page.goto(f"{live_server.url}/accounts/login/")
    main.locator("#id_username").fill(recommender_hz.username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/recommend/")
    screenshot("20-recommender-list")
    expect(main.get_by_text("钢筋加工班")).to_have_count(1)

    # Return the incomplete one with a reason.
    page.goto(f"{live_server.url}/recommend/applications/{incomplete.pk}/")
    return_form = main.locator(f"form[action='/recommend/applications/{incomplete.pk}/return/']")
    return_form.locator("textarea[name=reason]").fill("盖章扫描件不清晰，请重新上传。")
    return_form.locator("#confirm-return").check()
    return_form.locator("button[type=submit]").click()
    incomplete.refresh_from_db()
    assert (incomplete.state, incomplete.state_reason) == (
        ApplicationState.DRAFT,
        "盖章扫描件不清晰，请重新上传。",
    )

    # Score the good one on the rubric and submit the sheet.
    page.goto(f"{live_server.url}/recommend/applications/{good.pk}/score/")
    for item, points in zip(
        open_edition.rubric_items.all(), ["13", "22.5", "27", "13", "12.5"], strict=True
    ):
        main.locator(f"#id_points_{item.pk}").fill(points)
    # The running total follows the typing (htmx, no inline script).
    expect(main.locator("#running-total")).to_have_text("88.0")
    screenshot("21-score-sheet")
    main.locator("#confirm-sheet").check()
    main.locator("button[name=action][value=submit]").click()
    sheet = ScoreSheet.objects.get(application=good, scorer=recommender_hz)
    assert (sheet.state, str(sheet.total)) == ("submitted", "88.0")

    # Recommend it.
    page.goto(f"{live_server.url}/recommend/applications/{good.pk}/")
    recommend = main.locator(f"form[action='/recommend/applications/{good.pk}/recommend/']")
    recommend.locator("#confirm-recommend").check()
    recommend.locator("button").click()
    screenshot("22-review-recommended")
    good.refresh_from_db()
    assert (good.state, good.recommendation_number) == (ApplicationState.RECOMMENDED, "杭-2026-001")

    # Download Attachment 2 and read it back.
    page.goto(f"{live_server.url}/recommend/batch/")
    screenshot("23-batch")
    with page.expect_download() as download_info:
        main.locator(f"a[href='/recommend/batch/{hangzhou.pk}/attachment2.xlsx']").click()
    workbook = load_workbook(io.BytesIO(download_info.value.path().read_bytes()))
    values = [cell for row in workbook.active.iter_rows(values_only=True) for cell in row]
    assert "杭-2026-001" in values
    assert "钢筋加工班" in values

    # Build the submission package (a background task; the page polls) and download it.
    main.locator(
        f"form[action='/documents/package/recommenders/{hangzhou.pk}/start/'] button"
    ).click()
    ready = main.locator("#package-status a[href*='/documents/package/builds/']")
    expect(ready).to_be_visible(timeout=30_000)
    screenshot("23b-package-ready")
    with page.expect_download() as package_info:
        ready.click()
    assert package_info.value.suggested_filename == "推荐材料_2026_杭州.zip"
    with zipfile.ZipFile(io.BytesIO(package_info.value.path().read_bytes())) as package:
        names = set(package.namelist())
    assert {
        "附件2_推荐汇总表_2026_杭州.xlsx",
        "附件2_推荐汇总表_2026_杭州.pdf",
        "杭-2026-001_钢筋加工班/附件1_申报表_钢筋加工班.pdf",
        "杭-2026-001_钢筋加工班/附件1_申报表_钢筋加工班.docx",
    } <= names

    # Submit the batch.
    submit = main.locator(f"form[action='/recommend/batch/{hangzhou.pk}/submit/']")
    submit.locator("input[type=checkbox]").check()
    submit.locator("button[type=submit]").click()
    screenshot("24-batch-submitted")
    batch = Batch.objects.get(edition=open_edition, recommender=hangzhou)
    assert batch.state == BatchState.SUBMITTED
    assert batch.submitted_by == recommender_hz
