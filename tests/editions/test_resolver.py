"""Editions side by side: the edition a page works on comes from one request-level resolver."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.editions import services
from banzu.editions.models import Edition
from banzu.editions.resolver import SESSION_KEY
from tests.conftest import SHANGHAI, client_for
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_edition(edition, admin_user) -> Edition:
    """The 2025 edition, in its results stage while 2026 is the current one."""
    return services.create_edition(
        by=admin_user,
        fields={
            "year": 2025,
            "title": "2025年工程建设质量信得过班组活动",
            "notice_number": "浙工质协〔2025〕3号",
            "registration_opens_at": dt.datetime(2025, 3, 1, tzinfo=SHANGHAI),
            "recommendation_deadline": dt.datetime(2025, 4, 25, 23, 59, 59, tzinfo=SHANGHAI),
            "is_active": False,
        },
        copy_from=edition,
    )


def _board_edition(client, **params) -> Edition:
    return client.get(reverse("recommendations:board"), params).context["edition"]


def test_pages_work_on_the_current_edition_by_default(admin_user, past_edition, edition):
    assert _board_edition(client_for(admin_user)) == edition


def test_the_query_string_names_another_edition_for_one_page(admin_user, past_edition, edition):
    client = client_for(admin_user)

    assert _board_edition(client, edition="2025") == past_edition
    assert _board_edition(client) == edition  # the next page is back on the current one


def test_the_switcher_keeps_the_choice_for_the_following_pages(admin_user, past_edition, edition):
    client = client_for(admin_user)

    response = client.post(
        reverse("manage:edition_switch"), {"year": "2025", "next": "/recommend/board/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/recommend/board/"
    assert client.session[SESSION_KEY] == 2025
    page = client.get(reverse("recommendations:board"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["edition"] == past_edition
    assert "not the current edition" in page.content.decode()
    client.post(reverse("manage:edition_switch"), {"year": "2026", "next": "/"})
    assert SESSION_KEY not in client.session
    assert _board_edition(client) == edition


def test_two_editions_hold_their_own_applications(
    admin_user, past_edition, edition, hangzhou, recommender_hz
):
    old = ApplicationFactory(edition=past_edition, recommender=hangzhou)
    Application.objects.filter(pk=old.pk).update(
        state=ApplicationState.RECOMMENDED, recommendation_number="杭-2025-001"
    )
    client = client_for(admin_user)

    def recommended(**params):
        rows = client.get(reverse("recommendations:board"), params).context["rows"]
        return {row.recommender.short_name: row.recommended for row in rows}["杭州"]

    assert (recommended(edition="2025"), recommended()) == (1, 0)


def test_an_unknown_year_changes_nothing(admin_user, edition):
    client = client_for(admin_user)

    client.post(reverse("manage:edition_switch"), {"year": "1999", "next": "/"})

    assert SESSION_KEY not in client.session
    assert _board_edition(client, edition="1999") == edition


def test_the_switch_is_the_admins_alone(recommender_hz, past_edition):
    client = client_for(recommender_hz)

    response = client.post(reverse("manage:edition_switch"), {"year": "2025", "next": "/"})

    assert response.status_code == 404
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.filter(action="access.denied").last().actor_id == recommender_hz.pk


def test_the_switch_never_redirects_off_site(admin_user, past_edition):
    response = client_for(admin_user).post(
        reverse("manage:edition_switch"), {"year": "2025", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"
