"""Self-registration (issue 16, item 9): the e-mail address is confirmed by a mailed link before the
account can log in, the answer never says whether a user name exists, and one address may send
only BANZU_REGISTRATIONS_PER_IP registrations an hour."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from banzu.accounts import registration
from banzu.accounts.enums import Role
from banzu.accounts.forms.account import LOGIN_REFUSED
from banzu.accounts.manage_services import update_account
from banzu.accounts.models import RegistrationAttempt, User
from banzu.accounts.services import create_user
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quality-Team-2026"
SENT = "If the user name <strong>%s</strong> was free, we have mailed a link to"
THROTTLED = (
    "Too many registrations were sent from your network in the last hour. Please try again later."
)
LINK = re.compile(r"http://127\.0\.0\.1:8000(/accounts/confirm/[^/\s]+/)")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _form(username: str, email: str = "zs@example.com") -> dict[str, str]:
    return {
        "username": username,
        "full_name": "张三",
        "email": email,
        "phone": "13605792309",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }


def _register(client, capture, username: str, email: str = "zs@example.com", **extra):
    with capture(execute=True):
        return client.post(reverse("accounts:register"), _form(username, email), **extra)


def _same_page(content: bytes, *secrets: str) -> str:
    """The page without what differs between two requests anyway (CSRF tokens) and without the
    values the visitor typed."""
    text = re.sub(r'value="[^"]*"', 'value=""', content.decode())
    for secret in secrets:
        text = text.replace(secret, "…")
    return text


def test_registering_makes_an_inactive_account_and_mails_the_link(
    client, django_capture_on_commit_callbacks
):
    response = _register(client, django_capture_on_commit_callbacks, "zhangsan")

    assert response.status_code == 200
    assert SENT % "zhangsan" in response.content.decode()
    user = User.objects.get(username="zhangsan")
    assert (user.role, user.full_name, user.enterprise, user.is_active) == (
        Role.APPLICANT,
        "张三",
        None,
        False,
    )
    assert user.registration_pending is True
    assert user.password.startswith("md5$")  # the test hasher; production uses Argon2
    entry = AuditEntry.objects.get(action="account.register")
    assert (entry.actor_id, entry.ip) == (user.pk, "127.0.0.1")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["zs@example.com"], "Confirm your e-mail address to activate your account")
    ]
    assert LINK.search(mail.outbox[0].body) is not None
    # Not yet confirmed: the right password does not log in.
    refused = client.post(
        reverse("accounts:login"), {"username": "zhangsan", "password": NEW_PASSWORD}
    )
    assert (refused.status_code, "_auth_user_id" in client.session) == (200, False)


def test_the_mailed_link_confirms_the_address_and_the_account_logs_in(
    client, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks, "zhangsan")
    path = LINK.search(mail.outbox[0].body).group(1)

    page = client.get(path)
    assert page.status_code == 200
    assert User.objects.get(username="zhangsan").is_active is False  # a GET changes nothing
    confirmed = client.post(path)
    logged_in = client.post(
        confirmed["Location"], {"username": "zhangsan", "password": NEW_PASSWORD}
    )

    assert confirmed["Location"] == "/accounts/login/?next=%2Faccounts%2Fenterprise%2F"
    user = User.objects.get(username="zhangsan")
    assert (user.is_active, user.registration_pending) == (True, False)
    confirmations = AuditEntry.objects.filter(action="account.email_confirmed")
    assert list(confirmations.values_list("actor_id", flat=True)) == [user.pk]
    assert logged_in["Location"] == reverse("accounts:enterprise")
    # The link is spent.
    client.logout()
    again = client.get(path)
    assert again.status_code == 400
    assert "This link is not valid" in again.content.decode()


@pytest.mark.parametrize("taken", ["applicant_a", "APPLICANT_A"])
def test_a_taken_name_gets_the_same_page_and_only_the_mail_says_so(
    client, applicant_a, django_capture_on_commit_callbacks, taken
):
    free = _register(client, django_capture_on_commit_callbacks, "wangwu", "ww@example.com")
    mail.outbox.clear()

    refused = _register(client, django_capture_on_commit_callbacks, taken, "ww@example.com")

    assert (free.status_code, refused.status_code) == (200, 200)
    assert _same_page(refused.content, taken) == _same_page(free.content, "wangwu")
    assert User.objects.filter(username__iexact="applicant_a").count() == 1
    applicant_a.refresh_from_db()
    assert (applicant_a.email, applicant_a.is_active) == ("applicant_a@example.com", True)
    assert applicant_a.check_password(PASSWORD)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ww@example.com"], "Your registration was not completed")
    ]
    assert f"the user name {taken} with this e-mail address" in mail.outbox[0].body
    assert "already in use" in mail.outbox[0].body
    refusal = AuditEntry.objects.get(action="account.register_refused")
    assert (refusal.data, refusal.ip, refusal.actor_id) == (
        {"username": taken, "reason": "taken"},
        "127.0.0.1",
        None,
    )


def test_the_form_does_not_say_a_name_is_taken(client, applicant_a):
    response = client.post(reverse("accounts:register"), _form("applicant_a") | {"phone": "1"})

    text = response.content.decode()
    assert "Enter a mainland mobile number" in text  # the phone is wrong: the form is shown
    assert "already exists" not in text
    assert "already in use" not in text


def test_log_in_refusals_are_one_answer_whether_or_not_the_name_exists(
    client, applicant_a, django_capture_on_commit_callbacks
):
    _register(client, django_capture_on_commit_callbacks, "zhangsan")  # not confirmed
    login = reverse("accounts:login")

    wrong_password = client.post(login, {"username": "applicant_a", "password": "not-it-1"})
    unknown_name = client.post(login, {"username": "nobody_here", "password": "not-it-1"})
    unconfirmed = client.post(login, {"username": "zhangsan", "password": NEW_PASSWORD})

    answers = [wrong_password, unknown_name, unconfirmed]
    assert [r.status_code for r in answers] == [200, 200, 200]
    assert all(str(LOGIN_REFUSED) in r.content.decode() for r in answers)
    assert (
        _same_page(wrong_password.content, "applicant_a")
        == _same_page(unknown_name.content, "nobody_here")
        == _same_page(unconfirmed.content, "zhangsan")
    )


def test_registration_is_limited_per_address(client, settings, django_capture_on_commit_callbacks):
    limit = settings.BANZU_REGISTRATIONS_PER_IP
    address = {"REMOTE_ADDR": "198.51.100.20"}

    answers = [
        _register(client, django_capture_on_commit_callbacks, f"user_{n}", **address).status_code
        for n in range(limit)
    ]
    mail.outbox.clear()
    refused = _register(client, django_capture_on_commit_callbacks, "one_more", **address)
    elsewhere = _register(
        client, django_capture_on_commit_callbacks, "from_elsewhere", REMOTE_ADDR="198.51.100.21"
    )

    assert answers == [200] * limit
    assert refused.status_code == 429
    assert THROTTLED in refused.content.decode()
    assert User.objects.filter(username="one_more").exists() is False
    assert elsewhere.status_code == 200
    assert [m.to for m in mail.outbox] == [["zs@example.com"]]  # from_elsewhere's link only
    # Refused attempts are not counted, so they do not prolong the wait.
    assert RegistrationAttempt.objects.filter(ip_address="198.51.100.20").count() == limit


def test_the_address_may_register_again_an_hour_later(settings):
    start = timezone.now()
    for n in range(settings.BANZU_REGISTRATIONS_PER_IP):
        registration.register_applicant(**_service_form(f"user_{n}"), ip="198.51.100.30", now=start)
    with pytest.raises(ServiceError) as refused:
        registration.register_applicant(**_service_form("too_soon"), ip="198.51.100.30", now=start)

    registration.register_applicant(
        **_service_form("an_hour_later"),
        ip="198.51.100.30",
        now=start + dt.timedelta(hours=1, seconds=1),
    )

    assert refused.value.code == "throttled"
    assert list(
        User.objects.filter(username__in=["too_soon", "an_hour_later"]).values_list(
            "username", flat=True
        )
    ) == ["an_hour_later"]
    # The hour-old attempts were cleared away on the way.
    assert RegistrationAttempt.objects.count() == 1


def _service_form(username: str, email: str = "zs@example.com") -> dict[str, str]:
    return {
        "username": username,
        "password": NEW_PASSWORD,
        "full_name": "张三",
        "email": email,
        "phone": "13605792309",
    }


def test_a_name_held_by_an_unconfirmed_registration_is_freed_when_its_link_expires(
    settings, django_capture_on_commit_callbacks
):
    hours = settings.BANZU_REGISTRATION_CONFIRM_HOURS
    then = timezone.now() - dt.timedelta(hours=hours, minutes=1)
    registration.register_applicant(**_service_form("wangwu", "old@example.com"), now=then)
    squatted = User.objects.get(username="wangwu")
    old_token = registration.confirmation_token(squatted)

    with django_capture_on_commit_callbacks(execute=True):
        registration.register_applicant(**_service_form("wangwu", "new@example.com"))

    user = User.objects.get(username="wangwu")
    assert (user.pk, user.email, user.is_active) == (squatted.pk, "new@example.com", False)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["new@example.com"], "Confirm your e-mail address to activate your account")
    ]
    assert registration.pending_user(old_token) is None  # the first link no longer fits
    assert registration.pending_user(registration.confirmation_token(user)) == user


def test_a_name_held_by_a_registration_still_waiting_is_taken(django_capture_on_commit_callbacks):
    then = timezone.now() - dt.timedelta(hours=1)
    registration.register_applicant(**_service_form("wangwu", "first@example.com"), now=then)

    with django_capture_on_commit_callbacks(execute=True):
        registration.register_applicant(**_service_form("wangwu", "second@example.com"))

    assert User.objects.get(username="wangwu").email == "first@example.com"
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["second@example.com"], "Your registration was not completed")
    ]


def test_an_altered_or_expired_link_is_refused(client, monkeypatch, settings):
    registration.register_applicant(**_service_form("zhangsan"))
    user = User.objects.get(username="zhangsan")
    token = registration.confirmation_token(user)
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    later = time.time() + settings.BANZU_REGISTRATION_CONFIRM_HOURS * 3600 + 1

    forged = client.post(reverse("accounts:confirm", args=[altered]))
    monkeypatch.setattr(time, "time", lambda: later)
    expired = client.post(reverse("accounts:confirm", args=[token]))
    monkeypatch.undo()

    assert (forged.status_code, expired.status_code) == (400, 400)
    assert "This link is not valid" in expired.content.decode()
    user.refresh_from_db()
    assert (user.is_active, user.registration_pending) == (False, True)
    assert not AuditEntry.objects.filter(action="account.email_confirmed").exists()


def test_an_old_link_does_not_reactivate_an_account_the_admin_deactivated(client, admin_user):
    registration.register_applicant(**_service_form("zhangsan"))
    user = User.objects.get(username="zhangsan")
    token = registration.confirmation_token(user)
    registration.confirm_registration(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # the admin's deactivation

    response = client.post(reverse("accounts:confirm", args=[token]))

    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).is_active is False


def test_an_account_the_admin_activated_is_out_of_the_links_reach(client, admin_user):
    registration.register_applicant(**_service_form("zhangsan"))
    user = User.objects.get(username="zhangsan")
    token = registration.confirmation_token(user)
    update_account(by=admin_user, user=user, fields={"is_active": True})
    update_account(by=admin_user, user=user, fields={"is_active": False})

    response = client.post(reverse("accounts:confirm", args=[token]))

    assert response.status_code == 400
    user.refresh_from_db()
    assert (user.is_active, user.registration_pending) == (False, False)


def test_accounts_the_admin_makes_log_in_without_a_link(client, admin_user):
    # The demo's users are made this way too (banzu.demo through create_user).
    user = create_user(by=admin_user, username="rec_wz", password=NEW_PASSWORD, role=Role.EXPERT)

    logged_in = client.post(
        reverse("accounts:login"), {"username": "rec_wz", "password": NEW_PASSWORD}
    )

    assert (user.is_active, user.registration_pending) == (True, False)
    assert (logged_in.status_code, client.session["_auth_user_id"]) == (302, str(user.pk))


def test_a_password_like_the_email_is_refused_under_the_password(
    client, django_capture_on_commit_callbacks
):
    data = _form("zhangsan", email="qiantang2026@example.com")
    data["password1"] = data["password2"] = "qiantang2026"

    response = client.post(reverse("accounts:register"), data)

    form = response.context["form"]
    assert form.errors == {"password1": ["The password is too similar to the e-mail."]}
    assert User.objects.filter(username="zhangsan").exists() is False
