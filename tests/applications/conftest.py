from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture
def _english(settings):
    """The pages in English, so the assertions read the source strings."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
