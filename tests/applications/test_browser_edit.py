"""The draft form in Chromium (issue 17, item 10): one invalid figure keeps the narrative typed
beside it, the field to correct is brought into view above the sticky save bar with the focus on
it, and leaving the page with unsaved changes asks first. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Dialog, Page, expect

from banzu.accounts import services as accounts_services
from banzu.applications import services
from banzu.applications.models import Application
from banzu.recommendations import services as recommendation_services
from tests.applications.helpers import make_complete
from tests.browser.conftest import SCREENSHOTS
from tests.browser.conftest import browser as browser
from tests.browser.conftest import context as context
from tests.browser.conftest import page as page
from tests.factories import PASSWORD, ApplicationFactory, TeamFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARRATIVE = "班组由十二名成员组成，负责钢筋加工与安装。" * 40  # about 800 characters


def _log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()


@pytest.mark.parametrize("width", [1366, 390])
def test_invalid_figure_keeps_the_narrative_and_shows_the_field_in_view(
    page: Page, applicant_a, hangzhou, open_edition, width
):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    application = ApplicationFactory(
        team=team, created_by=applicant_a, recommender=hangzhou, edition=open_edition
    )
    page.set_viewport_size({"width": width, "height": 844})
    _log_in(page, applicant_a.username)
    page.goto(f"/applications/{application.pk}/edit/")

    page.fill("#id_narrative_team", NARRATIVE)
    page.fill("#id_work_completion_rate", "105")
    page.click("button[name=save_and_continue]")

    rate = page.locator("#id_work_completion_rate")
    expect(rate).to_have_value("105")
    expect(rate).to_be_focused()
    expect(page.locator("#error-summary a[href='#id_work_completion_rate']")).to_have_count(1)
    box = rate.bounding_box()
    bar = page.locator(".sticky-actions").bounding_box()
    assert box is not None
    assert bar is not None
    assert box["y"] >= 0
    assert box["y"] + box["height"] <= bar["y"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"h1-edit-error-{width}.png"))
    saved = Application.objects.get(pk=application.pk)
    assert (saved.narrative_team, saved.work_completion_rate, saved.version) == (
        NARRATIVE,
        None,
        2,
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Leaving with the typed 105 not saved asks first; staying keeps the page.
    asked: list[str] = []

    def stay(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.fill("#id_experience_title", "数控弯箍")
    page.locator("a", has_text="←").first.click(no_wait_after=True)
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    expect(page).to_have_url(
        f"{page.url.split('/applications/')[0]}/applications/{application.pk}/edit/"
    )


@pytest.mark.parametrize("width", [1366, 390])
def test_pages_after_submission_fit_the_screen(
    page: Page, applicant_a, hangzhou, recommender_hz, open_edition, tmp_path, width
):
    returned = _submitted(applicant_a, hangzhou, open_edition, tmp_path, "钢筋班")
    returned = services.transition(
        returned, to="draft", actor=recommender_hz, reason="请补充第4部分的QC课题成果"
    )
    recommended = recommendation_services.recommend_application(
        application=_submitted(applicant_a, hangzhou, open_edition, tmp_path, "测量班"),
        actor=recommender_hz,
    )
    enterprise = applicant_a.enterprise
    accounts_services.update_enterprise(
        user=applicant_a, enterprise=enterprise, fields={"supervising_contact": "赵新"}
    )
    page.set_viewport_size({"width": width, "height": 844})
    _log_in(page, applicant_a.username)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    for name, url in [
        ("home", "/"),
        ("returned", f"/applications/{returned.pk}/"),
        ("recommended", f"/applications/{recommended.pk}/"),
        ("files", f"/applications/{returned.pk}/files/"),
    ]:
        page.goto(url)
        page.screenshot(path=str(SCREENSHOTS / f"h1-{name}-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name

    page.goto(f"/applications/{recommended.pk}/")
    expect(page.locator(".enterprise-changed")).to_have_count(1)
    expect(page.locator(".stage-list li")).to_have_count(6)
    page.goto(f"/applications/{returned.pk}/")
    expect(page.locator(".returned-notice")).to_contain_text("请补充第4部分的QC课题成果")


def _submitted(applicant, recommender, edition, tmp_path, team: str) -> Application:
    application = make_complete(
        ApplicationFactory(
            team=TeamFactory(enterprise=applicant.enterprise, name=team),
            created_by=applicant,
            recommender=recommender,
            edition=edition,
        ),
        tmp_path,
    )
    return services.submit_application(application=application, user=applicant)
