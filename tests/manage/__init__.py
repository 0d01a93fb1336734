"""The provincial admin's configuration pages. Pages are read in English: the assertions quote
the source strings, whatever the .po file later makes of them."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

from tests.conftest import client_for

OTHER_ROLES = ["applicant_a", "recommender_hz", "expert"]


def english_client(user) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
