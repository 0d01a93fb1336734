"""`{{ report.copy_ratio|ratio }}`: a copy ratio as every page shows it (48.8%), through the
similarity engine's one rounding."""

from __future__ import annotations

from decimal import Decimal

from django import template

from banzu.similarity import format_ratio

register = template.Library()


@register.filter
def ratio(value: float | Decimal | str | None) -> str:
    return format_ratio(float(value or 0))
