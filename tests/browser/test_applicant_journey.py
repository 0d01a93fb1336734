"""A new applicant's whole path, and a submitted applicant's read-only view, in Chromium."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.accounts.models import Recommender, User
from banzu.applications import services
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import Edition
from tests.applications.helpers import make_complete
from tests.browser.conftest import Screenshot
from tests.factories import PASSWORD
from tests.uploads import samples

pytestmark = [
    pytest.mark.browser,
    # The live server sees only committed rows (tests/conftest.py re-seeds after the flush).
    pytest.mark.django_db(transaction=True),
]

ENTERPRISE = {
    "name": "浙江示范建设工程有限公司",
    "industry": "房屋建筑工程",
    "address": "浙江省杭州市拱墅区湖墅南路88号",
    "supervising_department": "质量安全部",
    "supervising_contact": "王建国",
    "supervising_phone": "0571-81956046",
}
FIGURES = {
    "experience_title": "以精细化管理提升钢筋加工一次合格率",
    "member_count": "12",
    "contact_name": "李明",
    "contact_phone": "13605792309",
    "quality_pass_rate": "99.5",
    "nonconforming_count": "0",
    "accident_count": "0",
    "complaint_count": "0",
    "first_pass_rate": "98.2",
    "training_people": "12",
    "training_hours": "96",
    "improvement_participation_rate": "100",
    "quality_cost": "12.35",
}
NARRATIVES = {
    "narrative_team": "班组由12名成员组成，负责钢筋加工与安装。",
    "narrative_management": "建立了班前会、交接班和质量自检制度。",
    "narrative_skills": "每月开展技能培训，熟练运用QC七大手法。",
    "narrative_improvement": "完成QC课题3项，获得实用新型专利1项。",
    "narrative_results": "连续三年一次验收合格率100%。",
    "narrative_honours": "2025年获评市级工人先锋号。",
}
HANGZHOU_ASSOCIATION = "杭州市建筑业协会"


def fill(page: Page, values: dict[str, str]) -> None:
    for name, value in values.items():
        page.fill(f"#id_{name}", value)


def test_new_applicant_registers_applies_uploads_and_submits(
    page: Page, screenshot: Screenshot, open_edition: Edition, tmp_path: Path
) -> None:
    # Arrange: the four files as the applicant has them on disk.
    files = {
        "materials_docx": samples.make_docx(tmp_path / "钢筋加工班建班材料.docx"),
        "materials_pdf": samples.make_pdf(tmp_path / "钢筋加工班建班材料.pdf"),
        "presentation": samples.make_pptx(tmp_path / "钢筋加工班发布.pptx"),
        "signed_form": samples.make_pdf(tmp_path / "申请表盖章扫描件.pdf"),
    }
    main = page.locator("main")

    # Act 1: from the home page to the registration form.
    page.goto("/")
    screenshot("01-home")
    screenshot("01-home-phone", phone=True)
    main.locator("a[href='/accounts/register/']").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))
    fill(
        page,
        {
            "username": "zhang_wei",
            "full_name": "张伟",
            "email": "zhangwei@example.com",
            "phone": "13905710001",
            "password1": "Gangjin-banzu-2026",
            "password2": "Gangjin-banzu-2026",
        },
    )
    screenshot("02-register")
    main.locator("button[type=submit]").click()

    # Act 1b: the mailed link confirms the address; then the applicant logs in.
    expect(page).to_have_url(re.compile(r"/accounts/register/$"))  # "check your e-mail"
    page.wait_for_load_state()
    link = re.search(r"/accounts/confirm/[^/\s]+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    main.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    fill(page, {"username": "zhang_wei", "password": "Gangjin-banzu-2026"})
    main.locator("button[type=submit]").click()

    # Act 2: the enterprise.
    expect(page).to_have_url(re.compile(r"/accounts/enterprise/$"))
    fill(page, ENTERPRISE)
    page.select_option("#id_ownership", "private")
    screenshot("03-enterprise")
    main.locator("button[type=submit]").click()

    # Act 3: the team and its recommender.
    expect(page).to_have_url(re.compile(r"/applications/new/$"))
    page.fill("#id_team_name", "钢筋加工班")
    page.select_option("#id_recommender", label=HANGZHOU_ASSOCIATION)
    screenshot("04-start")
    main.locator("button[type=submit]").click()

    # Act 4: the form, first with a completion rate above 100 %.
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    pk = int(re.findall(r"/applications/(\d+)/edit/$", page.url)[0])
    fill(page, {**FIGURES, "work_completion_rate": "120"})
    page.click("button[name=save_and_continue]")

    # Assert: the rate is marked, and nothing the applicant typed is lost.
    rate_field = page.locator(".field.has-error", has=page.locator("#id_work_completion_rate"))
    expect(rate_field).to_have_count(1)
    expect(rate_field.locator(".errorlist li")).to_have_count(1)
    expect(page.locator(".field.has-error")).to_have_count(1)
    expect(page.locator("#id_work_completion_rate")).to_have_value("120")
    for name, value in FIGURES.items():
        expect(page.locator(f"#id_{name}")).to_have_value(value)
    screenshot("05-form-error")
    screenshot("05-form-error-phone", phone=True)

    # Act 5: correct it, write the narratives, one honour, both declarations; save.
    page.fill("#id_work_completion_rate", "100")
    fill(page, NARRATIVES)
    page.select_option("#id_honours-0-year", "2025")
    page.fill("#id_honours-0-title", "市级工人先锋号")
    page.select_option("#id_honours-0-level", "city")
    page.select_option("#id_honours-0-recipient", "team")
    page.fill("#id_honours-0-awarded_by", "杭州市总工会")
    page.check("#id_no_accident_declared")
    page.check("#id_originality_pledged")
    page.click("button[name=save_and_close]")
    expect(page).to_have_url(re.compile(rf"/applications/{pk}/$"))
    expect(page.locator(".field.has-error")).to_have_count(0)

    # Act 6: upload the four files, one slot at a time.
    main.locator(f"a[href='/applications/{pk}/files/']").first.click()
    expect(page).to_have_url(re.compile(rf"/applications/{pk}/files/$"))
    for kind, path in files.items():
        page.set_input_files(f"#file-{kind}", path)
        page.locator(f"#slot-{kind} button[type=submit]").click()
        expect(page.locator(f"#slot-{kind} dl.facts dd").first).to_have_text(path.name)
    for kind, path in files.items():  # each upload left the earlier ones in place
        expect(page.locator(f"#slot-{kind} dl.facts dd").first).to_have_text(path.name)
    screenshot("06-files")

    # Act 7: submit.
    page.goto(f"/applications/{pk}/")
    main.locator(f"a[href='/applications/{pk}/submit/']").first.click()
    expect(page).to_have_url(re.compile(rf"/applications/{pk}/submit/$"))
    expect(main.locator("[role=alert]")).to_have_count(0)
    screenshot("07-submit")
    main.locator("form button[type=submit]").click()

    # Assert: the page and the database agree that it is submitted.
    expect(page).to_have_url(re.compile(rf"/applications/{pk}/$"))
    expect(page.locator("main h1 .badge.state-submitted")).to_have_count(1)
    expect(main.locator(f"a[href='/applications/{pk}/edit/']")).to_have_count(0)
    screenshot("08-detail-submitted")
    screenshot("08-detail-submitted-phone", phone=True)
    application = Application.objects.get(pk=pk)
    assert application.state == ApplicationState.SUBMITTED
    assert application.submitted_at is not None
    assert application.team.name == "钢筋加工班"
    enterprise = application.team.enterprise
    assert {name: getattr(enterprise, name) for name in [*ENTERPRISE, "ownership"]} == {
        **ENTERPRISE,
        "ownership": "private",
    }
    assert application.recommender.name == HANGZHOU_ASSOCIATION
    assert application.work_completion_rate == Decimal("100.00")
    assert application.quality_cost == Decimal("12.35")
    assert application.narrative_results == NARRATIVES["narrative_results"]
    assert list(application.honours.values_list("year", "title", "level", "recipient")) == [
        (2025, "市级工人先锋号", "city", "team")
    ]
    current = application.documents.filter(superseded_at__isnull=True)
    assert sorted(current.values_list("kind", "original_name")) == sorted(
        (kind, path.name) for kind, path in files.items()
    )

    # Assert: in English, the badge names the state in words.
    page.click("form.lang-switch button[value=en]")
    expect(page.locator("main h1 .badge.state-submitted")).to_have_text("Submitted to recommender")
    screenshot("09-detail-submitted-en")


def test_submitted_applicant_sees_read_only_application_and_withdraws(
    page: Page,
    screenshot: Screenshot,
    live_server: LiveServer,
    applicant_a: User,
    hangzhou: Recommender,
    open_edition: Edition,
    tmp_path: Path,
) -> None:
    # Arrange: applicant A's complete application, already submitted.
    draft = services.start_application(
        user=applicant_a, edition=open_edition, team_name="混凝土浇筑班", recommender=hangzhou
    )
    application = services.submit_application(
        application=make_complete(draft, tmp_path), user=applicant_a
    )
    main = page.locator("main")
    page.goto("/accounts/login/")
    page.fill("#id_username", applicant_a.username)
    page.fill("#id_password", PASSWORD)
    main.locator("button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")

    # Act: open the application from the dashboard.
    main.locator(f"a[href='/applications/{application.pk}/']").click()

    # Assert: submitted, read-only, withdrawable.
    expect(page.locator("main h1 .badge.state-submitted")).to_have_count(1)
    expect(main.locator(f"a[href='/applications/{application.pk}/edit/']")).to_have_count(0)
    expect(main.locator(f"a[href='/applications/{application.pk}/files/']")).to_have_count(0)
    withdraw_link = main.locator(f"a[href='/applications/{application.pk}/withdraw/']")
    reopen_form = main.locator(f"form[action='/applications/{application.pk}/reopen/']")
    expect(withdraw_link).to_have_count(1)
    expect(reopen_form).to_have_count(0)

    # Act: withdraw, and confirm on the page that asks.
    withdraw_link.click()
    screenshot("10-withdraw-confirm")
    main.locator("form button.button-danger[type=submit]").click()

    # Assert: withdrawn on the page and in the database, and it can be reopened.
    expect(page.locator("main h1 .badge.state-withdrawn")).to_have_count(1)
    expect(withdraw_link).to_have_count(0)
    expect(reopen_form).to_have_count(1)
    screenshot("11-detail-withdrawn")
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN
