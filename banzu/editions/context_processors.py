from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from banzu.editions.resolver import editions


def current_edition(request: HttpRequest) -> dict[str, Any]:
    """The edition the page works on, and every edition for the switcher (one query, lazily)."""
    return {
        "current_edition": SimpleLazyObject(lambda: editions(request)[1]),
        "all_editions": SimpleLazyObject(lambda: editions(request)[0]),
    }
