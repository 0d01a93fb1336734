from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from banzu.editions.selectors import get_current_edition


def current_edition(request: HttpRequest) -> dict[str, Any]:
    return {"current_edition": get_current_edition()}
