"""Log-in throttling: django-axes' database handler with a limit of its own per lockout parameter.

settings.AXES_LOCKOUT_PARAMETERS names two counters over the cool-off window: failures for one
user name from one address, and failures from one address across every user name. One limit for
both (axes' AXES_FAILURE_LIMIT) cannot fit: five is right for one account, but a whole office
behind one address would lock itself out after five typos between them. So the pair keeps
AXES_FAILURE_LIMIT and the address alone has BANZU_LOGIN_FAILURES_PER_IP (the way axes'
maintainers advise: a handler of one's own, jazzband/django-axes#661).

Neither counter is per user name alone: anyone could then lock any user out from anywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.http import HttpRequest

from banzu.accounts.models import RegistrationAttempt

MAIL_WINDOW = dt.timedelta(hours=1)


def client_ip(request: HttpRequest) -> str | None:
    """axes' AXES_CLIENT_IP_CALLABLE. REMOTE_ADDR is the client: banzu.core.proxy has already
    put the real client there when the peer is a trusted proxy, and X-Forwarded-For from anyone
    else is dropped, so nothing here reads a header a client can forge."""
    return request.META.get("REMOTE_ADDR") or None


def failure_limit(parameter: object) -> int:
    """The failures one counter allows within the cool-off window."""
    if parameter == "ip_address":
        return int(settings.BANZU_LOGIN_FAILURES_PER_IP)
    return int(settings.AXES_FAILURE_LIMIT)


class LoginThrottleHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        """axes compares this with AXES_FAILURE_LIMIT, so each counter is scaled to it: the
        answer reaches the limit exactly when one counter reaches its own limit."""
        limit = int(settings.AXES_FAILURE_LIMIT)
        parameters = settings.AXES_LOCKOUT_PARAMETERS
        worst = 0
        for parameter, attempts in zip(
            parameters, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own = failure_limit(parameter)
            if failures >= own:
                return limit
            worst = max(worst, failures * limit // own)
        return worst

    def reset_user_attempts(
        self, request: HttpRequest, credentials: dict[str, Any] | None = None
    ) -> int:
        """A successful log-in forgets that user name's failures from that address only. axes
        would forget every counter that matches, the whole address's with it: one attacker
        holding one account could then clear the address's count by logging in to it."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=getattr(request, "axes_ip_address", None)
        ).delete()
        return int(count)


def mail_request_allowed(*, purpose: str, ip: str | None, now: dt.datetime) -> bool:
    """Whether the address may send one more request that mails someone (a registration, a
    password reset) this hour; if so, this one is counted (and committed at once). Refused
    attempts are not counted: they cannot grow the table. Each purpose has its own count, of
    BANZU_REGISTRATIONS_PER_IP an hour; the count lives in the database, shared by every web
    process and kept across a restart."""
    since = now - MAIL_WINDOW
    with transaction.atomic():
        RegistrationAttempt.objects.filter(attempted_at__lt=since).delete()
        recent = RegistrationAttempt.objects.filter(
            purpose=purpose, ip_address=ip, attempted_at__gte=since
        )
        if recent.count() >= int(settings.BANZU_REGISTRATIONS_PER_IP):
            return False
        RegistrationAttempt.objects.create(purpose=purpose, ip_address=ip, attempted_at=now)
    return True
