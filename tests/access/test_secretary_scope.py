"""The room secretary's scope (banzu.core.access.PIPELINE_ROLES): their room's console and what it
links to, nothing of the competition's general pages (404, journalled); and their second factor."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.accounts.enums import Role
from banzu.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GENERAL_PAGES = [
    ("applications:list", {}, "application list"),
    ("documents:attachment3", {"year": 2026, "fmt": "docx"}, "attachment 3"),
    ("review:expert_welcome", {"uidb64": "MQ", "token": "not-a-token"}, "expert welcome link"),
]


@pytest.fixture
def secretary(db):
    return UserFactory(username="room_secretary", role=Role.SECRETARY, full_name="王丽")


@pytest.mark.parametrize(("name", "kwargs", "what"), GENERAL_PAGES)
def test_general_pages_do_not_exist_for_a_secretary(secretary, edition, name, kwargs, what):
    response = client_for(secretary).get(reverse(name, kwargs=kwargs))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_id, denied.data) == (
        secretary.pk,
        {"object": what, "id": "", "code": "404"},
    )


@pytest.mark.parametrize(("name", "kwargs", "what"), GENERAL_PAGES)
def test_general_pages_stay_open_to_an_expert(expert, edition, name, kwargs, what):
    response = client_for(expert).get(reverse(name, kwargs=kwargs))

    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="access.denied", data__code="404").exists()


def test_the_expert_welcome_link_stays_public(client):
    url = reverse("review:expert_welcome", kwargs={"uidb64": "MQ", "token": "not-a-token"})

    response = client.get(url)

    assert response.status_code == 200
    # The invalid link itself is journalled, as before; no refusal of scope.
    assert list(AuditEntry.objects.values_list("data__object", "data__code")) == [
        ("expert welcome link", "invalid")
    ]


def test_a_secretary_confirms_a_second_factor_before_any_page(settings, secretary):
    settings.REQUIRE_SECOND_FACTOR = True
    client = client_for(secretary)

    response = client.get(reverse("home"))
    enrol = client.get(reverse("accounts:second_factor"), HTTP_ACCEPT_LANGUAGE="en")

    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/")
    assert enrol.status_code == 200
    assert "<h1>Set up your second factor</h1>" in enrol.content.decode()
