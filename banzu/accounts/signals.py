"""Logins, logouts and failed logins go to the audit journal."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver
from django.http import HttpRequest

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import client_ip, record

actions.register("account.login", "account.login_failed", "account.logout")


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    record(action="account.login", actor=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(action="account.logout", actor=user, ip=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    record(
        action="account.login_failed",
        data={"username": username},
        ip=client_ip(request),
    )
