from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def anchor_file(settings, tmp_path):
    """Each test writes its anchors to a file of its own, never to the checkout's var/."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    return settings.AUDIT_ANCHOR_FILE
