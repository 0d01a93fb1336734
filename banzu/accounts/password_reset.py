"""Forgotten passwords: a link mailed to the account's address sets a new password.

The answer never says whether an address has an account: every request ends in the same page, and
only the mailbox learns it (a mail goes to each active account with that address; none goes
elsewhere). One address may send BANZU_REGISTRATIONS_PER_IP requests an hour, counted apart from
registrations (banzu.accounts.throttling). The link is Django's password-reset token: it stops
working once the password changed, after a log-in, or after PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from banzu.accounts.models import RegistrationAttempt, User
from banzu.accounts.throttling import mail_request_allowed
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.core.outbox import queue

actions.register("account.password_reset_mailed", "account.password_reset")


def link_hours() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT) // 3600


def accounts_for(email: str) -> list[User]:
    """The accounts a reset for this address may reach: active, with a password of their own."""
    found = User.objects.filter(email__iexact=email.strip(), is_active=True).order_by("pk")
    return [user for user in found if user.has_usable_password()]


def reset_url(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


def request_reset(*, email: str, ip: str | None = None, now: dt.datetime | None = None) -> None:
    """Mail a link to every account with this address. Returns nothing on purpose: the caller
    answers alike whether there was one. Raises ServiceError("throttled")."""
    now = now or timezone.now()
    if not mail_request_allowed(purpose=RegistrationAttempt.PASSWORD_RESET, ip=ip, now=now):
        raise ServiceError(
            _(
                "Too many password resets were requested from your network in the last hour. "
                "Please try again later."
            ),
            code="throttled",
        )
    with transaction.atomic():
        for user in accounts_for(email):
            record(action="account.password_reset_mailed", target=user, ip=ip)
            _mail_link(user)


def set_new_password(*, user: User, password: str, ip: str | None = None) -> User:
    """The mailed link's form: the new password, journalled. The link is spent with it (the
    token is made from the password hash)."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(action="account.password_reset", actor=user, target=user, ip=ip)
    return user


def _mail_link(user: User) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        queue(
            [user.email],
            _("Set a new password"),
            _(
                "Hello %(name)s,\n\n"
                "A new password was asked for the account %(username)s at %(site)s. Open this "
                "link within %(hours)d hours to set one:\n\n%(url)s\n\n"
                "If you did not ask for it, ignore this mail: your password stays as it is."
            )
            % {
                "name": user.display_name,
                "username": user.username,
                "site": settings.SITE_URL,
                "hours": link_hours(),
                "url": reset_url(user),
            },
        )
