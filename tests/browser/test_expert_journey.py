"""The expert's path in Chromium: log in, declare no conflict, open the materials, fill the
sheet with one value out of range and correct it, save, submit; then the admin sees the
aggregated score."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput, save_sheet
from tests.applications.helpers import upload
from tests.browser.conftest import DESKTOP, SCREENSHOTS, Screenshot
from tests.factories import PASSWORD
from tests.review.conftest import assign, make_expert, reviewed_application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    main = page.locator("main")
    main.locator("#id_username").fill(username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page.locator("nav .nav-user")).to_be_visible()


def _colleague_sheet(application: Application, username: str, points: list[str]) -> None:
    colleague = make_expert(username)
    assign(application, colleague)
    rubric = list(application.edition.rubric_items.all())
    save_sheet(
        application=application,
        scorer=colleague,
        stage=SheetStage.MATERIALS,
        items={item.pk: ItemInput(D(p), "评语") for item, p in zip(rubric, points, strict=True)},
        overall_comment="总体评价",
        expected_version=None,
        submit=True,
    )


def test_expert_declares_scores_and_submits_then_admin_sees_the_score(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    screenshot: Screenshot,
    edition,
    applicant_a,
    admin_user,
    tmp_path,
):
    application = reviewed_application(
        edition=edition,
        team__enterprise=applicant_a.enterprise,
        created_by=applicant_a,
        state=ApplicationState.DRAFT,
    )
    upload(application, DocumentKind.MATERIALS_PDF, tmp_path)
    docx = upload(application, DocumentKind.MATERIALS_DOCX, tmp_path)
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.UNDER_REVIEW)
    expert = make_expert("chen_expert")
    assign(application, expert, AssignmentState.PENDING)
    _colleague_sheet(application, "colleague_a", ["12", "20", "24", "12", "12"])  # 80
    _colleague_sheet(application, "colleague_b", ["14", "22", "27", "13", "14"])  # 90
    base = live_server.url
    main = page.locator("main")

    # Log in; the list asks for the declaration first.
    _log_in(page, base, expert.username)
    page.goto(f"{base}/review/mine/")
    screenshot("40-expert-mine")
    main.locator(f"a[href='/review/mine/{application.pk}/declare/']").click()
    expect(main).to_contain_text(application.team.enterprise.name)
    screenshot("41-expert-declare")
    main.locator("button[name=answer][value=none]").click()

    # The materials beside the sheet: the PDF shows in the frame, the Word file downloads.
    expect(main.locator("iframe.review-pdf")).to_have_count(1)
    pdf_url = main.locator("iframe.review-pdf").get_attribute("src")
    pdf = page.request.get(f"{base}{pdf_url}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    with page.expect_download() as download:
        main.locator(f"a[href='/review/mine/{application.pk}/files/{docx.pk}/']").click()
    assert download.value.suggested_filename.endswith(".docx")

    # One value over its maximum: the server refuses it beside the item, keeps the rest.
    rubric = list(edition.rubric_items.all())
    typed = ["16", "22", "27", "13", "13"]
    for item, value in zip(rubric, typed, strict=True):
        main.locator(f"#id_points_{item.pk}").fill(value)
        main.locator(f"#id_comment_{item.pk}").fill(f"第{item.position}项：材料翔实")
    main.locator("#id_overall_comment").fill("班组建设成效显著，材料规范。")
    expect(main.locator("#running-total")).to_have_text("91.0")
    main.locator("button[name=action][value=save]").click()
    first = rubric[0]
    expect(main.locator(f"#id_points_{first.pk}_error")).to_contain_text("15")
    expect(main.locator(f"#id_points_{rubric[1].pk}")).to_have_value("22")
    assert not ScoreSheet.objects.filter(scorer=expert).exists()
    screenshot("42-expert-sheet-error")

    # Corrected and saved as a draft, then submitted: the sheet locks.
    main.locator(f"#id_points_{first.pk}").fill("14.5")
    main.locator("button[name=action][value=save]").click()
    expect(main.locator("strong.sheet-total")).to_have_text("89.5")
    sheet = ScoreSheet.objects.get(scorer=expert)
    assert sheet.state == SheetState.DRAFT
    main.locator("#confirm-sheet").check()
    main.locator("button[name=action][value=submit]").click()
    expect(main.locator(f"#id_points_{first.pk}")).to_be_disabled()
    sheet.refresh_from_db()
    assert (sheet.state, sheet.total) == (SheetState.SUBMITTED, D("89.5"))
    assert Assignment.objects.get(expert=expert).state == AssignmentState.CONFIRMED
    screenshot("43-expert-sheet-submitted")

    # The admin sees the aggregated score: the mean of 80, 90 and 89.5.
    admin_context = browser.new_context(base_url=base, locale="zh-CN", viewport=DESKTOP)
    admin_page = admin_context.new_page()
    _log_in(admin_page, base, admin_user.username)
    admin_page.goto(f"{base}/review/applications/{application.pk}/")
    expect(admin_page.locator("strong.materials-score")).to_have_text("86.50")
    expect(admin_page.locator("strong.materials-weighted")).to_have_text("69.20")
    admin_page.goto(f"{base}/review/results/")
    expect(admin_page.locator("main")).to_contain_text("86.50")
    admin_page.screenshot(path=str(SCREENSHOTS / "44-admin-review-results.png"), full_page=True)
    admin_context.close()
