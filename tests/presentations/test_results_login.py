"""The event's results pages ask an anonymous visitor to log in, like the setup pages and the
console: the admin's bookmark, and the secretary's summary link once their session has ended,
lead to the login page and back (not to a 404)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "with_room"),
    [
        ("presentations:results", False),
        ("presentations:results_sheets", False),
        ("presentations:results_summary_pdf", True),
        ("presentations:results_summary_xlsx", True),
    ],
)
def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world, name, with_room):
    url = reverse(name, args=[world.room_a.pk] if with_room else [])

    response = client.get(url)

    assert (response.status_code, response["Location"]) == (
        302,
        f"{reverse('accounts:login')}?next={quote(url)}",
    )
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
