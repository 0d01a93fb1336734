"""Every admin page for every persona: the admin is let in, other roles get 404, anonymous
visitors go to the login page, and an unknown id is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.accounts.models import Recommender, User
from banzu.audit.models import AuditEntry
from banzu.editions.models import Edition
from tests.conftest import client_for
from tests.manage import OTHER_ROLES, english_client

pytestmark = pytest.mark.django_db

# (url name, the fixture whose pk the url takes, the page's heading for the admin)
PAGES = [
    ("manage:editions", None, "<h1>Editions</h1>"),
    ("manage:edition_create", None, "<h1>New edition</h1>"),
    ("manage:edition_edit", "edition", "<h1>2026年工程建设质量信得过班组活动</h1>"),
    ("manage:recommenders", None, "<h1>Recommenders</h1>"),
    ("manage:recommender_create", None, "<h1>Add a recommender</h1>"),
    ("manage:recommender_edit", "hangzhou", "<h1>杭州市建筑业协会</h1>"),
    ("manage:users", None, "<h1>Accounts</h1>"),
    ("manage:user_create", None, "<h1>New account</h1>"),
    ("manage:user_edit", "applicant_a", "<h1>Account applicant_a</h1>"),
]
PAGE_IDS = [name for name, _, _ in PAGES]


def _url(request, name, target):
    if target is None:
        return reverse(name)
    return reverse(name, args=[request.getfixturevalue(target).pk])


@pytest.mark.parametrize(("name", "target", "heading"), PAGES, ids=PAGE_IDS)
def test_page_admin_allowed(request, admin_user, name, target, heading):
    response = english_client(admin_user).get(_url(request, name, target))

    assert response.status_code == 200
    assert heading in response.content.decode()


@pytest.mark.parametrize("persona", OTHER_ROLES)
@pytest.mark.parametrize(("name", "target", "heading"), PAGES, ids=PAGE_IDS)
def test_page_other_roles_get_404(request, persona, name, target, heading):
    """The one rule: a page outside the user's role does not exist for them (404, journalled)."""
    user = request.getfixturevalue(persona)
    response = client_for(user).get(_url(request, name, target))

    assert response.status_code == 404
    assert heading not in response.content.decode()
    denied = AuditEntry.objects.filter(action="access.denied").last()
    assert (denied.actor_id, denied.data["code"]) == (user.pk, "404")


@pytest.mark.parametrize(("name", "target", "heading"), PAGES, ids=PAGE_IDS)
def test_page_anonymous_redirected_to_login(request, name, target, heading):
    url = _url(request, name, target)

    response = client_for(None).get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


@pytest.mark.parametrize(
    "name", ["manage:edition_edit", "manage:recommender_edit", "manage:user_edit"]
)
def test_edit_page_unknown_pk_is_404(admin_user, name):
    response = client_for(admin_user).get(reverse(name, args=[987654]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", OTHER_ROLES)
def test_post_by_other_roles_changes_nothing(request, persona, hangzhou):
    client = client_for(request.getfixturevalue(persona))
    recommenders = Recommender.objects.count()
    users = User.objects.count()
    editions = Edition.objects.count()

    responses = [
        client.post(reverse("manage:recommender_create"), {"name": "x", "number_prefix": "x"}),
        client.post(reverse("manage:recommender_edit", args=[hangzhou.pk]), {"name": "改名"}),
        client.post(reverse("manage:user_create"), {"username": "intruder", "role": "admin"}),
        client.post(reverse("manage:edition_create"), {"year": "2030"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert Recommender.objects.count() == recommenders
    assert User.objects.count() == users
    assert Edition.objects.count() == editions
    assert Recommender.objects.get(pk=hangzhou.pk).name == "杭州市建筑业协会"
