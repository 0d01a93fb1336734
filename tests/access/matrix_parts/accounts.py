"""The accounts' rows added with the e-mail confirmation (banzu.accounts.registration). The link
is reached without a login; a signed-in visitor is sent home, as by the registration page. args()
registers an account through the service and points at its genuine, unused link (a GET shows the
confirmation button and changes nothing)."""

from __future__ import annotations

from typing import Any

from banzu.accounts import registration
from banzu.accounts.models import User

ROWS: dict[str, str] = {
    "accounts:confirm": "200 302 302 302 302 302 302 302 302",
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
    return {"accounts:confirm": {"token": registration.confirmation_token(pending)}}
