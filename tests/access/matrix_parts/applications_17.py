"""The applications' rows changed or added for issue 17: a recommender's all-applications list
is its recommendation list (a redirect keeping the search), and the association exports the
list as Excel."""

from __future__ import annotations

from typing import Any

ROWS: dict[str, str] = {
    "applications:list": "login 200 200 302 302 200 200 200 404",
    "applications:export": "login 404 404 404 404 404 404 200 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {}
