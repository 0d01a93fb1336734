"""Forgotten passwords (issue 17, item 12): the log-in page offers a reset by mail and the
association's contacts; the answer never says whether an address has an account; one address
may ask BANZU_REGISTRATIONS_PER_IP times an hour, counted apart from registrations."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from banzu.accounts.models import RegistrationAttempt, User
from banzu.audit.models import AuditEntry
from banzu.editions.models import Edition
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qiantang-tide-2026"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/accounts/password/reset/[^/\s]+/[^/\s]+/)")
SENT = "If an account has the address <strong>%s</strong>, we have mailed it a link."
THROTTLED = (
    "Too many password resets were requested from your network in the last hour. "
    "Please try again later."
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _ask(client: Client, capture, email: str, **extra):
    with capture(execute=True):
        return client.post(reverse("accounts:password_reset"), {"email": email}, **extra)


def _link_in_last_mail() -> str:
    found = LINK.search(mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def test_login_page_offers_the_reset_and_the_notice_contacts(client):
    html = client.get(reverse("accounts:login")).content.decode()

    assert '<a href="/accounts/password/reset/">Forgot your password?</a>' in html
    assert "<p>邓刚 0571-81956046 13605792309</p>" in html
    assert "<p>蔡瑞琛 0571-81956271 13738065455</p>" in html


def test_the_contacts_are_the_current_editions(client, edition):
    Edition.objects.filter(pk=edition.pk).update(contacts="王芳  0571-12345678\n\n")

    html = client.get(reverse("accounts:login")).content.decode()

    assert "<p>王芳 0571-12345678</p>" in html
    assert "邓刚" not in html


def test_reset_mails_a_link_that_sets_a_new_password(
    client, applicant_a, django_capture_on_commit_callbacks
):
    response = _ask(client, django_capture_on_commit_callbacks, "APPLICANT_A@example.com")

    assert response.status_code == 200
    assert SENT % "APPLICANT_A@example.com" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["applicant_a@example.com"]]
    assert mail.outbox[0].subject == "Set a new password"
    link = _link_in_last_mail()

    form_page = client.get(link, follow=True)
    saved = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )

    assert saved.redirect_chain == [(reverse("accounts:password_reset_complete"), 302)]
    assert "Your new password is set. Log in with it." in saved.content.decode()
    applicant_a.refresh_from_db()
    assert applicant_a.check_password(NEW_PASSWORD) is True
    assert list(
        AuditEntry.objects.filter(target_id=applicant_a.pk)
        .order_by("seq")
        .values_list("action", "actor_id")
    ) == [("account.password_reset_mailed", None), ("account.password_reset", applicant_a.pk)]
    # The link is spent with the password it set.
    again = client.get(link, follow=True).content.decode()
    assert "This link does not work any more" in again


def test_unknown_and_known_addresses_get_the_same_page(
    client, applicant_a, django_capture_on_commit_callbacks
):
    known = _ask(client, django_capture_on_commit_callbacks, "applicant_a@example.com")
    unknown = _ask(client, django_capture_on_commit_callbacks, "nobody@example.com")

    def page(response, email: str) -> str:
        """Without the CSRF token (new on every page) and the address typed."""
        text = re.sub(r'value="[^"]*"', 'value=""', response.content.decode())
        return text.replace(email, "…")

    assert page(known, "applicant_a@example.com") == page(unknown, "nobody@example.com")
    assert [m.to for m in mail.outbox] == [["applicant_a@example.com"]]


def test_inactive_and_unconfirmed_accounts_get_no_link(
    client, applicant_a, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=applicant_a.pk).update(is_active=False, registration_pending=True)

    response = _ask(client, django_capture_on_commit_callbacks, "applicant_a@example.com")

    assert response.status_code == 200
    assert mail.outbox == []


def test_resets_are_limited_per_address_apart_from_registrations(
    client, settings, applicant_a, django_capture_on_commit_callbacks
):
    limit = settings.BANZU_REGISTRATIONS_PER_IP
    address = {"REMOTE_ADDR": "198.51.100.40"}
    RegistrationAttempt.objects.create(
        purpose=RegistrationAttempt.REGISTRATION,
        ip_address="198.51.100.40",
        attempted_at=timezone.now(),
    )

    answers = [
        _ask(client, django_capture_on_commit_callbacks, "nobody@example.com", **address)
        for _n in range(limit)
    ]
    refused = _ask(client, django_capture_on_commit_callbacks, "applicant_a@example.com", **address)

    assert [a.status_code for a in answers] == [200] * limit
    assert refused.status_code == 429
    assert THROTTLED in refused.content.decode()
    assert mail.outbox == []
    counted = RegistrationAttempt.objects.filter(ip_address="198.51.100.40")
    assert counted.filter(purpose=RegistrationAttempt.PASSWORD_RESET).count() == limit
    assert counted.filter(purpose=RegistrationAttempt.REGISTRATION).count() == 1


def test_new_password_like_the_name_is_refused_under_the_password(
    client, applicant_a, django_capture_on_commit_callbacks
):
    _ask(client, django_capture_on_commit_callbacks, "applicant_a@example.com")
    form_page = client.get(_link_in_last_mail(), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "applicant_a1", "new_password2": "applicant_a1"},
    )

    form = response.context["form"]
    assert form.errors == {"new_password1": ["The password is too similar to the username."]}
    applicant_a.refresh_from_db()
    assert applicant_a.check_password(PASSWORD) is True


def test_signed_in_users_are_sent_home(client, applicant_a):
    client.force_login(applicant_a)

    response = client.get(reverse("accounts:password_reset"))

    assert (response.status_code, response["Location"]) == (302, reverse("home"))


def test_a_mistyped_address_is_said_in_plain_words(client, django_capture_on_commit_callbacks):
    response = _ask(client, django_capture_on_commit_callbacks, "applicant_a@")

    assert response.context["form"].errors == {
        "email": ["Enter an e-mail address such as name@example.com."]
    }
    assert mail.outbox == []
    assert RegistrationAttempt.objects.count() == 0
