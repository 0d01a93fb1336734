"""Self-registration of applicants: throttled per address, confirmed by e-mail, and silent about
which user names exist.

A registration always ends in the same page ("if the name was free, a link was mailed"), and
`register_applicant` returns nothing the page could give away. If the name is free the account
is made inactive (`registration_pending`) and a signed link is mailed; the link activates it.
If the name is taken, nothing is made and the mail says so instead: only whoever reads that
mailbox learns it, one mail at a time under the per-address limit. A name held by a registration
never confirmed is freed when its link expires.

The per-address count is banzu.accounts.throttling's, shared with the password reset.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import RegistrationAttempt, User
from banzu.accounts.throttling import mail_request_allowed
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.core.outbox import queue

actions.register("account.register", "account.register_refused", "account.email_confirmed")

LINK_SALT = "banzu.accounts.registration"


def confirm_hours() -> int:
    return int(settings.BANZU_REGISTRATION_CONFIRM_HOURS)


# --- The link -------------------------------------------------------------------------------


def confirmation_token(user: User) -> str:
    """Signed, not secret: the account and the moment it was registered (a registration made
    again under the same name gets a new moment, so an older link no longer fits)."""
    return signing.dumps({"u": user.pk, "j": user.date_joined.isoformat()}, salt=LINK_SALT)


def confirmation_url(user: User) -> str:
    return settings.SITE_URL + reverse("accounts:confirm", args=[confirmation_token(user)])


def pending_user(token: str) -> User | None:
    """The account the link confirms, if the link is genuine, unexpired and still unused."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=dt.timedelta(hours=confirm_hours()))
    except signing.BadSignature:  # forged, altered or expired
        return None
    user = User.objects.filter(pk=data["u"], registration_pending=True, is_active=False).first()
    if user is None or user.date_joined.isoformat() != data["j"]:
        return None
    return user


# --- Writes ---------------------------------------------------------------------------------


def register_applicant(
    *,
    username: str,
    password: str,
    full_name: str,
    email: str,
    phone: str,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Register an applicant account, or tell the address that the name is taken. Returns
    nothing on purpose: the caller answers both alike. Raises ServiceError("throttled")."""
    now = now or timezone.now()
    if not mail_request_allowed(purpose=RegistrationAttempt.REGISTRATION, ip=ip, now=now):
        raise ServiceError(
            _(
                "Too many registrations were sent from your network in the last hour. "
                "Please try again later."
            ),
            code="throttled",
        )
    fields = {"full_name": full_name, "email": email, "phone": phone}
    try:
        with transaction.atomic():
            user = _claim(username, fields, password, now)
            if user is not None:
                record(action="account.register", actor=user, target=user, ip=ip)
                _mail_link(user)
                return
    except IntegrityError:  # the same name registered a moment ago, in parallel
        pass
    # The name is taken. The same password hashing as a new account, so the time taken tells
    # nothing either.
    make_password(password)
    record(
        action="account.register_refused",
        data={"username": username[:150], "reason": "taken"},
        ip=ip,
    )
    _mail_name_taken(email, username)


def _claim(username: str, fields: dict[str, str], password: str, now: dt.datetime) -> User | None:
    """The new inactive account, or the expired unconfirmed one under this name made anew, or
    None when the name is taken."""
    existing = User.objects.select_for_update().filter(username__iexact=username).first()
    if existing is not None and not _expired_registration(existing, now):
        return None
    user = existing or User(username=username, role=Role.APPLICANT)
    for key, value in fields.items():
        setattr(user, key, value)
    user.is_active = False
    user.registration_pending = True
    user.date_joined = now
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


def _expired_registration(user: User, now: dt.datetime) -> bool:
    return (
        user.registration_pending
        and not user.is_active
        and user.last_login is None
        and user.date_joined < now - dt.timedelta(hours=confirm_hours())
    )


def confirm_registration(*, user: User, ip: str | None = None) -> User:
    """Open the link: the e-mail address is confirmed and the account can log in."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.registration_pending:
            raise ServiceError(_("This account is already confirmed."), code="confirmed")
        locked.registration_pending = False
        locked.is_active = True
        locked.save(update_fields=["registration_pending", "is_active"])
        record(action="account.email_confirmed", actor=locked, target=locked, ip=ip)
    return locked


# --- Mail -----------------------------------------------------------------------------------


def _mail_link(user: User) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        queue(
            [user.email],
            _("Confirm your e-mail address to activate your account"),
            _(
                "Hello %(name)s,\n\n"
                "The account %(username)s was registered with this e-mail address at %(site)s. "
                "Open this link within %(hours)d hours to confirm the address and activate the "
                "account:\n\n%(url)s\n\n"
                "If you did not register, ignore this mail: the account stays inactive and the "
                "name is freed again."
            )
            % {
                "name": user.display_name,
                "username": user.username,
                "site": settings.SITE_URL,
                "hours": confirm_hours(),
                "url": confirmation_url(user),
            },
        )


def _mail_name_taken(email: str, username: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        queue(
            [email],
            _("Your registration was not completed"),
            _(
                "Hello,\n\n"
                "Someone, probably you, tried to register the user name %(username)s with this "
                "e-mail address at %(site)s. That name is already in use, so no account was "
                "made. Register again with another user name:\n\n%(url)s\n\n"
                "If you already have an account and forgot its password, set a new one with "
                "“Forgot your password?” on the log-in page. If you did not register, ignore "
                "this mail."
            )
            % {
                "username": username,
                "site": settings.SITE_URL,
                "url": settings.SITE_URL + reverse("accounts:register"),
            },
        )
