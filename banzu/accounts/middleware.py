"""Provincial admins, experts and room secretaries reach no page before their second factor is
confirmed."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_otp.middleware import is_verified

from banzu.accounts.enums import Role
from banzu.accounts.models import User

# A room secretary sees no score, but moves the event: opens and closes teams, marks a team
# absent (it then has no presentation score) and closes the room (its teams' scores are final).
# A guessed or shared password must not do that, so they confirm each login like the experts.
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.EXPERT, Role.SECRETARY})
EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/")


def needs_second_factor(user: User | AnonymousUser) -> bool:
    # is_verified() reads the otp_device that django_otp's middleware puts on the user.
    return bool(
        settings.REQUIRE_SECOND_FACTOR
        and user.is_authenticated
        and user.role in SECOND_FACTOR_ROLES
        and not is_verified(user)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not request.path.startswith(EXEMPT_PREFIXES):
            return redirect("accounts:second_factor")
        return self.get_response(request)
