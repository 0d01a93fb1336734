"""The key that seals the journal (banzu.audit.chain.entry_mac), kept out of the database.

Production sets BANZU_AUDIT_KEY (a system check refuses to start without it); development and
the tests derive one from SECRET_KEY, so nothing needs configuring there. The key must never
change for a journal: entries sealed under another key no longer verify."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

MIN_LENGTH = 32


def audit_key() -> bytes:
    configured: str = getattr(settings, "AUDIT_KEY", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"banzu.audit.key", hashlib.sha256).digest()


def seal(message: str) -> str:
    """An HMAC of any text under the journal's key (anchor lines, backup manifests)."""
    return hmac.new(audit_key(), message.encode(), hashlib.sha256).hexdigest()


def seal_matches(message: str, mac: str) -> bool:
    return hmac.compare_digest(seal(message), mac)
