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


@pytest.mark.parametrize(
    ("persona", "heading"),
    [("recommender_hz", "杭州市建筑业协会"), ("admin_user", "Provincial overview")],
)
def test_home_staff_sees_overview(request, persona, heading):
    user = request.getfixturevalue(persona)
    text = client_for(user).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"<h1>{heading}</h1>" in text
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
