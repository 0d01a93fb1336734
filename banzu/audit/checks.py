"""System check: production refuses to start without the journal's key (banzu.audit.keys)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error

from banzu.audit.keys import MIN_LENGTH


def check_audit_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    key: str = getattr(settings, "AUDIT_KEY", "")
    if len(key) >= MIN_LENGTH:
        return []
    problem = "is not set" if not key else f"is shorter than {MIN_LENGTH} characters"
    return [
        Error(
            f"BANZU_AUDIT_KEY {problem}: the audit journal cannot be sealed.",
            hint=(
                "Set BANZU_AUDIT_KEY in the environment to 50 or more random characters, kept "
                "out of the database and never changed (docs/operations.md)."
            ),
            id="banzu.audit.E001",
        )
    ]
