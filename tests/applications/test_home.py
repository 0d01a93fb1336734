from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_home_anonymous_shows_edition_and_how_to_apply(client):
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2026年工程建设质量信得过班组活动" in text
    assert "How to apply" in text
    assert reverse("accounts:register") in text


def test_home_applicant_without_enterprise_points_to_next_step():
    user = UserFactory(username="fresh")
    text = client_for(user).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>Next step:</strong> register your enterprise (单位)." in text
    assert reverse("accounts:enterprise") in text


def test_home_applicant_with_enterprise_points_to_start(applicant_a):
    text = client_for(applicant_a).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>Next step:</strong> start your team's application." in text


def test_home_admin_sees_overview(admin_user):
    # A recommender's home page is its own work now (issue 17, item 4: tests/recommendations).
    text = client_for(admin_user).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>Provincial overview</h1>" in text
    assert "Applications by status" in text


def test_home_expert_sees_no_assignments(expert):
    text = client_for(expert).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have no review assignments yet." in text


def test_pages_send_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
