"""A user who forgot the password finds the way on the log-in page, in Chromium, at phone width
(issue 17, item 12): the link, the mail, the new password, the log-in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect
from pytest_django.live_server_helper import LiveServer

from banzu.accounts.models import User
from tests.browser.conftest import PHONE, SCREENSHOTS, browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Qiantang-tide-2026"


def test_forgotten_password_is_reset_from_the_login_page(
    browser: Browser,  # noqa: F811 - the fixture imported above
    live_server: LiveServer,
    applicant_a: User,
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale="en", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    main = page.locator("main")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page.goto("/accounts/login/")
    expect(main).to_contain_text("邓刚 0571-81956046 13605792309")
    page.screenshot(path=str(SCREENSHOTS / "password-login-phone.png"), full_page=True)
    main.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "applicant_a@example.com")
    main.get_by_role("button", name="Mail me a link").click()
    expect(main).to_contain_text("we have mailed it a link")

    link = re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", mail.outbox[-1].body)
    assert link is not None
    page.goto(link.group(0))
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "password-new-phone.png"), full_page=True)
    main.get_by_role("button", name="Save the new password").click()
    main.get_by_role("link", name="Log in").click()
    page.fill("#id_username", "applicant_a")
    page.fill("#id_password", NEW_PASSWORD)
    page.press("#id_password", "Enter")

    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
