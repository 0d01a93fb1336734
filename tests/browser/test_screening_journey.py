"""The provincial admin's screening in Chromium: run the scan, open a flagged application's
side-by-side report, eliminate it with a reason, pass the rest."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.screening.models import Decision
from tests.browser.conftest import Screenshot
from tests.factories import PASSWORD
from tests.screening.conftest import all_checks_pass, submit_batch
from tests.screening.test_scan import chinese_text, make_with_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_scans_reads_the_side_by_side_eliminates_one_and_passes_the_rest(
    page: Page,
    live_server: LiveServer,
    screenshot: Screenshot,
    open_edition,
    hangzhou,
    recommender_hz,
    admin_user,
    tmp_path,
):
    original = chinese_text(1, 2000)
    first = make_with_text(hangzhou, recommender_hz, tmp_path, "钢筋班", original)
    copier = make_with_text(
        hangzhou, recommender_hz, tmp_path, "木工班", chinese_text(2, 1200) + original[500:1300]
    )
    third = make_with_text(hangzhou, recommender_hz, tmp_path, "瓦工班", chinese_text(3, 2000))
    # The screening starts when 杭州 submits its batch (issue 17, item 5). The checks it starts
    # read the test's sample files; here every check is marked passed, and the scan below
    # decides originality.
    submit_batch(first, recommender_hz)
    for application in (first, copier, third):
        all_checks_pass(application)
    main = page.locator("main")

    page.goto(f"{live_server.url}/accounts/login/")
    main.locator("#id_username").fill(admin_user.username)
    main.locator("#id_password").fill(PASSWORD)
    main.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/screening/")
    screenshot("30-screening-workspace")

    # Run the scan; the panel polls until it is done.
    main.locator("form[action='/screening/jobs/scan/'] button").click()
    expect(main.locator("#job-status-scan dl.facts")).to_be_visible(timeout=60_000)
    page.goto(f"{live_server.url}/screening/")
    flagged = main.locator(f"a[href='/screening/reports/{copier.pk}/']")
    expect(flagged).to_have_count(1)
    screenshot("31-screening-scanned")

    # The copier's report, then its side-by-side with the first team's text.
    flagged.click()
    expect(main).to_contain_text("钢筋班")
    main.locator(
        f"a[href*='/screening/reports/{copier.pk}/sources/application/{first.pk}/']"
    ).click()
    expect(main.locator("[id='a-1']")).to_have_count(1)
    expect(main.locator("[id='b-1']")).to_have_count(1)
    screenshot("32-side-by-side")

    # Eliminate the copier with a reason.
    page.goto(f"{live_server.url}/screening/applications/{copier.pk}/decide/")
    main.locator("input[name=decision][value=eliminate]").check()
    main.locator("select[name=reason_code]").select_option("plagiarism")
    main.locator("textarea[name=reason_text]").fill("第二部分与钢筋班材料雷同")
    main.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/screening/")

    # The first team was copied from, so its originality check failed too: it is not offered
    # for the bulk pass, and passes on its own page with the reason, which the journal keeps.
    expect(main.locator(f"input[name=applications][value='{first.pk}']")).to_have_count(0)
    page.goto(f"{live_server.url}/screening/applications/{first.pk}/decide/")
    main.locator("input[name=decision][value=pass]").check()
    main.locator("textarea[name=confirmation]").fill("木工班抄袭本班组，本班组为原创")
    main.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/screening/")

    # Pass the rest at once.
    main.locator(f"input[name=applications][value='{third.pk}']").check()
    main.locator("form[action='/screening/pass/'] button[type=submit]").click()
    screenshot("33-screening-decided")

    states = {
        a.pk: a.state for a in Application.objects.filter(pk__in=[first.pk, copier.pk, third.pk])
    }
    assert states == {
        first.pk: ApplicationState.SCREENED,
        copier.pk: ApplicationState.ELIMINATED,
        third.pk: ApplicationState.SCREENED,
    }
    assert Decision.objects.get(application=copier).reason_text == "第二部分与钢筋班材料雷同"
    assert Decision.objects.get(application=first).reason_text == "木工班抄袭本班组，本班组为原创"
