"""The accounts' rows added with the e-mail confirmation (banzu.accounts.registration) and the
password reset (banzu.accounts.password_reset). The links are reached without a login; a
signed-in visitor is sent home, as by the registration page. args() registers an account through
the service and points at its genuine, unused link (a GET shows the confirmation button and
changes nothing); the reset link is a genuine one for that account, which never logs in (a GET
moves the token into the session and redirects, Django's way of keeping it out of the Referer)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from banzu.accounts import registration
from banzu.accounts.models import User

ROWS: dict[str, str] = {
    "accounts:confirm": "200 302 302 302 302 302 302 302 302",
    "accounts:password_reset": "200 302 302 302 302 302 302 302 302",
    "accounts:password_reset_confirm": "302 302 302 302 302 302 302 302 302",
    "accounts:password_reset_complete": "200 200 200 200 200 200 200 200 200",
    "manage:user_export": "login 404 404 404 404 404 404 200 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    registration.register_applicant(
        username="matrix_pending",
        password="Matrix-Pending-2026",
        full_name="矩阵待确认",
        email="matrix_pending@example.com",
        phone="13605792309",
    )
    pending = User.objects.get(username="matrix_pending")
    return {
        "accounts:confirm": {"token": registration.confirmation_token(pending)},
        "accounts:password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(pending.pk)),
            "token": default_token_generator.make_token(pending),
        },
    }
