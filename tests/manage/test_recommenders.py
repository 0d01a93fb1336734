"""Recommender pages: the seeded cities, adding a provincial association, editing."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banzu.accounts import manage_services
from banzu.accounts.enums import RecommenderKind, Role
from banzu.accounts.models import Recommender
from banzu.audit.models import AuditEntry
from tests.factories import UserFactory
from tests.manage import english_client

pytestmark = pytest.mark.django_db

ASSOCIATION = {
    "name": "浙江省市政行业协会",
    "short_name": "省市政协",
    "kind": RecommenderKind.PROVINCIAL_ASSOCIATION,
    "number_prefix": "市政",
    "contact_name": "陈工",
    "contact_phone": "0571-85123456",
    "is_active": "on",
    "sort_order": "60",
}


def form_data(recommender: Recommender, **changes) -> dict[str, str]:
    data = {
        "name": recommender.name,
        "short_name": recommender.short_name,
        "kind": recommender.kind,
        "number_prefix": recommender.number_prefix,
        "contact_name": recommender.contact_name,
        "contact_phone": recommender.contact_phone,
        "sort_order": str(recommender.sort_order),
    }
    if recommender.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


def test_list_shows_seeded_recommenders_with_staff_count(admin_user, recommender_hz, hangzhou):
    UserFactory(username="rec_hz_2", role=Role.RECOMMENDER, recommender=hangzhou)

    html = english_client(admin_user).get(reverse("manage:recommenders")).content.decode()

    assert html.count('<td data-label="Kind">City construction association</td>') == 11
    assert '<td data-label="Kind">Provincial construction investment group</td>' in html
    assert (
        f'<a href="/manage/recommenders/{hangzhou.pk}/">杭州市建筑业协会</a> '
        '<span class="muted small">杭州</span>'
    ) in html
    assert '<td data-label="Staff accounts" class="num">2</td>' in html
    assert html.count('<td data-label="Staff accounts" class="num">0</td>') == 11


def test_list_query_count_does_not_grow_with_recommenders(admin_user, django_assert_num_queries):
    client = english_client(admin_user)

    def add(n: int) -> None:
        recommender = manage_services.create_recommender(
            by=admin_user,
            fields={
                "name": f"浙江省第{n}专业协会",
                "short_name": f"协{n}",
                "kind": RecommenderKind.PROVINCIAL_ASSOCIATION,
                "number_prefix": f"协{n}",
            },
        )
        UserFactory(role=Role.RECOMMENDER, recommender=recommender)

    add(1)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("manage:recommenders"))
    add(2)
    add(3)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("manage:recommenders"))

    assert (
        response.content.decode().count('<td data-label="Staff accounts" class="num">1</td>') == 3
    )


def test_create_provincial_association(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:recommender_create"), ASSOCIATION, follow=True
    )

    created = Recommender.objects.get(name="浙江省市政行业协会")
    assert (created.short_name, created.kind, created.number_prefix) == (
        "省市政协",
        RecommenderKind.PROVINCIAL_ASSOCIATION,
        "市政",
    )
    assert (created.contact_name, created.contact_phone, created.is_active) == (
        "陈工",
        "0571-85123456",
        True,
    )
    html = response.content.decode()
    assert "Recommender “浙江省市政行业协会” added." in html
    assert '<td data-label="Kind">Provincial professional association</td>' in html
    entry = AuditEntry.objects.get(action="recommender.create")
    assert (entry.actor_id, entry.target_id, entry.data) == (
        admin_user.pk,
        created.pk,
        {"name": "浙江省市政行业协会", "number_prefix": "市政"},
    )


def test_create_duplicate_prefix_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:recommender_create"), {**ASSOCIATION, "number_prefix": "杭"}
    )

    assert response.status_code == 200
    assert (
        "Another recommender already uses this prefix: recommendation numbers must tell the "
        "recommenders apart." in response.content.decode()
    )
    assert not Recommender.objects.filter(name="浙江省市政行业协会").exists()
    assert not AuditEntry.objects.filter(action="recommender.create").exists()


def test_create_bad_phone_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:recommender_create"), {**ASSOCIATION, "contact_phone": "12345"}
    )

    assert "Enter a mainland mobile number (11 digits" in response.content.decode()
    assert not Recommender.objects.filter(name="浙江省市政行业协会").exists()


def test_edit_deactivates_and_records_changed_fields(admin_user, ningbo):
    data = form_data(ningbo, contact_name="赵工")
    del data["is_active"]

    response = english_client(admin_user).post(
        reverse("manage:recommender_edit", args=[ningbo.pk]), data, follow=True
    )

    ningbo.refresh_from_db()
    assert (ningbo.is_active, ningbo.contact_name) == (False, "赵工")
    assert "Recommender “宁波市建筑业协会” saved." in response.content.decode()
    entry = AuditEntry.objects.get(action="recommender.update")
    assert (entry.target_id, entry.data) == (ningbo.pk, {"fields": ["contact_name", "is_active"]})


def test_edit_to_another_recommenders_prefix_refused(admin_user, ningbo):
    response = english_client(admin_user).post(
        reverse("manage:recommender_edit", args=[ningbo.pk]),
        form_data(ningbo, number_prefix="杭"),
    )

    assert (
        "Another recommender already uses this prefix: recommendation numbers must tell the "
        "recommenders apart." in response.content.decode()
    )
    ningbo.refresh_from_db()
    assert ningbo.number_prefix == "甬"


# --- Words and order (issue 17, item 14) ----------------------------------------------------


def test_list_follows_the_notices_order_group_last(admin_user):
    manage_services.create_recommender(
        by=admin_user,
        fields={**ASSOCIATION, "is_active": True, "sort_order": 100},
    )

    html = english_client(admin_user).get(reverse("manage:recommenders")).content.decode()

    names = re.findall(r'<a href="/manage/recommenders/\d+/">([^<]+)</a>', html)
    assert names[:3] == ["杭州市建筑业协会", "宁波市建筑业协会", "温州市建筑业协会"]
    assert names[10:] == [
        "丽水市建筑业协会",
        "浙江省市政行业协会",
        "浙江省建设投资集团股份有限公司",
    ]


def test_duplicate_name_refused_in_our_words(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:recommender_create"), {**ASSOCIATION, "name": "杭州市建筑业协会"}
    )

    assert response.context["form"].errors == {
        "name": ["There is already a recommender of this name."]
    }


def test_kind_select_asks_to_choose_instead_of_dashes(admin_user):
    html = english_client(admin_user).get(reverse("manage:recommender_create")).content.decode()

    assert '<option value="" selected>Choose…</option>' in html
    assert "---------" not in html
