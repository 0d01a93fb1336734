"""Log-in throttling (issue 16, item 9): besides AXES_FAILURE_LIMIT failures for one user name
from one address, BANZU_LOGIN_FAILURES_PER_IP failures from one address across every user name
lock that address out, so it cannot try one password on every account; the address is the
client's as banzu.core.proxy established it, never a header the client sent."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
GUESS = "Spring-2026-guess"


def _log_in(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    response = client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )
    return response.status_code


def test_one_address_guessing_one_password_across_accounts_is_locked_out(
    client, settings, applicant_a
):
    limit = settings.BANZU_LOGIN_FAILURES_PER_IP
    # Real accounts and unknown names alike, one guess each: never the pair's limit.
    names = [UserFactory(username=f"victim_{n}").username for n in range(limit // 2)]
    names += [f"unknown_{n}" for n in range(limit - len(names))]

    answers = [_log_in(client, name, GUESS) for name in names]
    after = _log_in(client, "applicant_a", PASSWORD)
    elsewhere = _log_in(Client(), "applicant_a", PASSWORD, address="198.51.100.7")

    assert limit > settings.AXES_FAILURE_LIMIT
    # The last guess reaches the address's limit: it is already answered with the lock-out.
    assert answers == [200] * (limit - 1) + [429]
    # Now even the right password of another account is refused from that address ...
    assert after == 429
    # ... but not from another address.
    assert elsewhere == 302


def test_logging_in_to_one_account_does_not_clear_the_address_count(client, settings, applicant_b):
    limit = settings.BANZU_LOGIN_FAILURES_PER_IP

    before = [_log_in(client, f"unknown_{n}", GUESS) for n in range(limit - 1)]
    own = _log_in(client, "applicant_b", PASSWORD)  # the attacker's own account
    client.logout()
    last = _log_in(client, "unknown_last", GUESS)

    assert before == [200] * (limit - 1)
    assert own == 302
    assert last == 429


def test_a_success_forgets_that_names_failures_from_that_address(client, applicant_a):
    _log_in(client, "applicant_a", "typo-1")
    _log_in(client, "someone_else", GUESS)

    assert _log_in(client, "applicant_a", PASSWORD) == 302
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [
        ("someone_else", 1)
    ]


def test_a_forwarded_for_header_from_an_untrusted_peer_is_not_the_address(settings):
    client = Client()
    for n in range(3):
        client.post(
            reverse("accounts:login"),
            {"username": "unknown", "password": GUESS},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )

    assert list(AccessAttempt.objects.values_list("ip_address", "failures_since_start")) == [
        (ATTACKER, 3)
    ]


def test_behind_a_trusted_proxy_the_address_is_the_real_client(settings):
    settings.BANZU_TRUSTED_PROXIES = ["10.0.0.0/8"]
    client = Client()  # its middleware reads the trusted proxies when it first answers

    client.post(
        reverse("accounts:login"),
        {"username": "unknown", "password": GUESS},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=f"192.0.2.1, {ATTACKER}",
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [ATTACKER]
