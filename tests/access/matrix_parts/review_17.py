"""The expert review's rows added for issue 17: the expert pool's Excel download, the provincial
admin's alone (anonymous visitors log in first, everyone else finds no such page)."""

from __future__ import annotations

from typing import Any

from banzu.accounts.models import User

ROWS: dict[str, str] = {
    "review:experts_xlsx": "login 404 404 404 404 404 404 200 404",
}


def args(users: dict[str, User]) -> dict[str, dict[str, Any]]:
    return {}
