"""`{{ item|archive_reason }}`: a row of the archive import's summary, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from banzu.screening.archive_messages import reason

register = template.Library()


@register.filter
def archive_reason(item: Mapping[str, Any]) -> str:
    return reason(item)
