from __future__ import annotations

from banzu.editions.models import Edition


def get_current_edition() -> Edition | None:
    return Edition.objects.filter(is_active=True).prefetch_related("rubric_items").first()
