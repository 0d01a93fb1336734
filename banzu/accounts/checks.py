"""Production must never carry the demo accounts and their published password."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_demo_accounts_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    from banzu.accounts.models import User

    try:
        demo = list(User.objects.filter(is_demo=True).values_list("username", flat=True)[:10])
    except DatabaseError:
        return []
    if not demo:
        return []
    return [
        Error(
            "Demo accounts exist in a production database: " + ", ".join(demo),
            hint="Delete them; the demo loader must never run against production.",
            id="banzu.E001",
        )
    ]
