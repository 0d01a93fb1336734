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

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


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
