"""Provincial admins and experts reach no page before their second factor is confirmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from banzu.accounts.enums import Role

SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.EXPERT})
EXEMPT_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/")


def needs_second_factor(user: Any) -> bool:
    return bool(
        settings.REQUIRE_SECOND_FACTOR
        and user.is_authenticated
        and user.role in SECOND_FACTOR_ROLES
        and not user.is_verified()
    )


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if needs_second_factor(request.user) and not request.path.startswith(EXEMPT_PREFIXES):
            return redirect("accounts:second_factor")
        return self.get_response(request)
