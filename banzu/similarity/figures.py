"""How a copy ratio is shown: one function, so every page shows the same figure."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def format_ratio(ratio: float) -> str:
    """A ratio (0.4875) as a percentage with one decimal place, rounded half up ("48.8%").

    Through `str()` first, so that the float's shortest decimal form is rounded (0.4875 is
    48.75, not 48.749999…)."""
    percent = (Decimal(str(ratio)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{percent}%"
