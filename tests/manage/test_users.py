"""Account pages: list with filter and search, create with role and binding, edit."""

from __future__ import annotations

import io
import re
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.audit.models import AuditEntry
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory
from tests.manage import english_client

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qiantang-river-2027"


def new_account(**changes) -> dict[str, str]:
    data = {
        "username": "hz_staff",
        "full_name": "周敏",
        "email": "zhoumin@example.com",
        "phone": "13605792309",
        "role": Role.RECOMMENDER,
        "recommender": "",
        "enterprise": "",
        "password": NEW_PASSWORD,
    }
    data.update(changes)
    return data


def edit_data(user: User, **changes) -> dict[str, str]:
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "role": user.role,
        "recommender": str(user.recommender_id or ""),
        "enterprise": user.enterprise.name if user.enterprise else "",
        "new_password": "",
    }
    if user.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return data


# --- List -----------------------------------------------------------------------------------


def test_list_shows_accounts_with_binding(admin_user, applicant_a, recommender_hz, expert):
    html = english_client(admin_user).get(reverse("manage:users")).content.decode()

    assert "4 accounts" in html
    assert f'<a href="/manage/users/{recommender_hz.pk}/">rec_hz</a>' in html
    assert '<td data-label="Recommender or enterprise">杭州市建筑业协会</td>' in html
    assert '<td data-label="Recommender or enterprise">浙江甲建设有限公司</td>' in html
    assert '<td data-label="Role">Expert</td>' in html


def test_list_role_filter(admin_user, applicant_a, recommender_hz, expert):
    html = (
        english_client(admin_user)
        .get(reverse("manage:users"), {"role": Role.RECOMMENDER})
        .content.decode()
    )

    assert "1 account" in html
    assert ">rec_hz</a>" in html
    assert ">applicant_a</a>" not in html
    assert ">expert_1</a>" not in html


@pytest.mark.parametrize("query", ["APPLICANT_A", "用户", "applicant_a@example"])
def test_list_search_by_username_name_or_email(admin_user, applicant_a, recommender_hz, query):
    applicant_a.full_name = "用户甲"
    applicant_a.save()
    recommender_hz.full_name = "周敏"
    recommender_hz.save()

    html = english_client(admin_user).get(reverse("manage:users"), {"q": query}).content.decode()

    assert ">applicant_a</a>" in html
    assert ">rec_hz</a>" not in html


def test_list_paginated_by_50(admin_user):
    UserFactory.create_batch(51, role=Role.EXPERT)
    client = english_client(admin_user)

    first = client.get(reverse("manage:users"), {"role": Role.EXPERT}).content.decode()
    second = client.get(
        reverse("manage:users"), {"role": Role.EXPERT, "page": "2"}
    ).content.decode()

    assert first.count('<td data-label="Role">Expert</td>') == 50
    assert '<a href="?role=expert&amp;page=2">Next</a>' in first
    assert second.count('<td data-label="Role">Expert</td>') == 1
    assert "<span>1 / 2</span>" in first
    assert '<a href="?role=expert&amp;page=1">Previous</a>' in second


def test_list_query_count_does_not_grow_with_accounts(
    admin_user, hangzhou, django_assert_num_queries
):
    client = english_client(admin_user)
    # Only the admin: one account. Then an applicant and a recommender staff member: three.
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("manage:users"))
    UserFactory(enterprise=EnterpriseFactory())
    UserFactory(role=Role.RECOMMENDER, recommender=hangzhou)

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("manage:users"))

    assert "3 accounts" in response.content.decode()


# --- Create ---------------------------------------------------------------------------------


def test_create_recommender_staff_without_recommender_refused(admin_user):
    response = english_client(admin_user).post(reverse("manage:user_create"), new_account())

    assert response.status_code == 200
    assert "Choose the recommender this staff member works for." in response.content.decode()
    assert not User.objects.filter(username="hz_staff").exists()


def test_create_recommender_staff_of_hangzhou(admin_user, hangzhou):
    response = english_client(admin_user).post(
        reverse("manage:user_create"), new_account(recommender=str(hangzhou.pk)), follow=True
    )

    created = User.objects.get(username="hz_staff")
    assert (created.role, created.recommender, created.enterprise) == (
        Role.RECOMMENDER,
        hangzhou,
        None,
    )
    assert (created.full_name, created.email, created.phone) == (
        "周敏",
        "zhoumin@example.com",
        "13605792309",
    )
    assert created.check_password(NEW_PASSWORD)
    assert "Account “hz_staff” created." in response.content.decode()
    entry = AuditEntry.objects.get(action="account.create")
    assert (entry.actor_id, entry.target_id, entry.data) == (
        admin_user.pk,
        created.pk,
        {"role": "recommender", "recommender": hangzhou.pk},
    )


def test_create_expert_with_recommender_refused(admin_user, hangzhou):
    response = english_client(admin_user).post(
        reverse("manage:user_create"),
        new_account(role=Role.EXPERT, recommender=str(hangzhou.pk)),
    )

    assert (
        "Only recommender staff belong to a recommender: clear this field or choose the role "
        "“Recommender staff”." in response.content.decode()
    )
    assert not User.objects.filter(username="hz_staff").exists()


def test_create_expert_with_enterprise_refused(admin_user):
    enterprise = cast(Enterprise, EnterpriseFactory())

    response = english_client(admin_user).post(
        reverse("manage:user_create"),
        new_account(role=Role.EXPERT, enterprise=enterprise.name),
    )

    assert (
        "Only applicants belong to an enterprise: clear this field or choose the role "
        "“Applicant”." in response.content.decode()
    )
    assert not User.objects.filter(username="hz_staff").exists()


def test_create_applicant_of_enterprise(admin_user):
    enterprise = cast(Enterprise, EnterpriseFactory(name="浙江丙建设集团有限公司"))

    english_client(admin_user).post(
        reverse("manage:user_create"),
        new_account(role=Role.APPLICANT, enterprise=enterprise.name),
    )

    created = User.objects.get(username="hz_staff")
    assert (created.role, created.enterprise, created.recommender) == (
        Role.APPLICANT,
        enterprise,
        None,
    )


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("password123", "This password is too common."),
        ("58203941776", "This password is entirely numeric."),
        ("hz_staff1", "The password is too similar to the username."),
    ],
)
def test_create_weak_password_refused(admin_user, hangzhou, password, message):
    response = english_client(admin_user).post(
        reverse("manage:user_create"),
        new_account(recommender=str(hangzhou.pk), password=password),
    )

    assert message in response.content.decode()
    assert not User.objects.filter(username="hz_staff").exists()


def test_create_duplicate_username_refused(admin_user, hangzhou, recommender_hz):
    response = english_client(admin_user).post(
        reverse("manage:user_create"),
        new_account(username="rec_hz", recommender=str(hangzhou.pk)),
    )

    assert "A user with that username already exists." in response.content.decode()
    assert User.objects.filter(username="rec_hz").count() == 1


# --- Edit -----------------------------------------------------------------------------------


def test_edit_deactivates_another_account(admin_user, applicant_a):
    data = edit_data(applicant_a)
    del data["is_active"]

    response = english_client(admin_user).post(
        reverse("manage:user_edit", args=[applicant_a.pk]), data, follow=True
    )

    applicant_a.refresh_from_db()
    assert applicant_a.is_active is False
    assert applicant_a.enterprise is not None
    assert "Account “applicant_a” saved." in response.content.decode()
    entry = AuditEntry.objects.get(action="account.update")
    assert (entry.target_id, entry.data) == (applicant_a.pk, {"fields": ["is_active"]})


def test_edit_self_deactivation_refused(admin_user):
    data = edit_data(admin_user)
    del data["is_active"]

    response = english_client(admin_user).post(
        reverse("manage:user_edit", args=[admin_user.pk]), data
    )

    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.is_active is True
    assert not AuditEntry.objects.filter(action="account.update").exists()


def test_edit_self_demotion_refused(admin_user):
    response = english_client(admin_user).post(
        reverse("manage:user_edit", args=[admin_user.pk]),
        edit_data(admin_user, role=Role.EXPERT),
    )

    assert (
        "You cannot remove the provincial admin role from your own account."
        in response.content.decode()
    )
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN


def test_edit_other_admin_may_be_demoted(admin_user):
    other = cast(User, UserFactory(username="prov_admin_2", role=Role.ADMIN))

    english_client(admin_user).post(
        reverse("manage:user_edit", args=[other.pk]), edit_data(other, role=Role.EXPERT)
    )

    other.refresh_from_db()
    assert other.role == Role.EXPERT


def test_edit_role_change_with_leftover_binding_refused(admin_user, recommender_hz):
    response = english_client(admin_user).post(
        reverse("manage:user_edit", args=[recommender_hz.pk]),
        edit_data(recommender_hz, role=Role.EXPERT),
    )

    assert (
        "Only recommender staff belong to a recommender: clear this field or choose the role "
        "“Recommender staff”." in response.content.decode()
    )
    recommender_hz.refresh_from_db()
    assert recommender_hz.role == Role.RECOMMENDER


def test_edit_role_change_with_binding_cleared(admin_user, recommender_hz):
    english_client(admin_user).post(
        reverse("manage:user_edit", args=[recommender_hz.pk]),
        edit_data(recommender_hz, role=Role.EXPERT, recommender=""),
    )

    recommender_hz.refresh_from_db()
    assert (recommender_hz.role, recommender_hz.recommender) == (Role.EXPERT, None)


def test_edit_sets_new_password(admin_user, expert):
    english_client(admin_user).post(
        reverse("manage:user_edit", args=[expert.pk]),
        edit_data(expert, new_password=NEW_PASSWORD),
    )

    expert.refresh_from_db()
    assert expert.check_password(NEW_PASSWORD)
    assert not expert.check_password(PASSWORD)
    assert (
        AuditEntry.objects.filter(action="account.set_password", target_id=expert.pk).count() == 1
    )
    assert not AuditEntry.objects.filter(action="account.update").exists()


def test_edit_weak_new_password_refused(admin_user, expert):
    response = english_client(admin_user).post(
        reverse("manage:user_edit", args=[expert.pk]), edit_data(expert, new_password="12345678")
    )

    assert "This password is too common." in response.content.decode()
    expert.refresh_from_db()
    assert expert.check_password(PASSWORD)


def test_edit_own_password_keeps_session(admin_user):
    client = english_client(admin_user)

    client.post(
        reverse("manage:user_edit", args=[admin_user.pk]),
        edit_data(admin_user, new_password=NEW_PASSWORD),
    )
    response = client.get(reverse("manage:users"))

    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)


# --- Filters, export, words (issue 17, items 14 and 15) -------------------------------------


def test_list_filters_by_recommender(admin_user, recommender_hz, recommender_nb, ningbo):
    html = (
        english_client(admin_user)
        .get(reverse("manage:users"), {"recommender": str(ningbo.pk)})
        .content.decode()
    )

    assert "1 account" in html
    assert ">rec_nb</a>" in html
    assert ">rec_hz</a>" not in html
    # The recommenders are offered in their own order.
    options = re.findall(r'<option value="(\d+)"', html.split('name="recommender"')[1])
    assert [int(pk) for pk in options] == list(Recommender.objects.values_list("pk", flat=True))


def test_list_searches_the_enterprise_name(admin_user, applicant_a, applicant_b):
    html = (
        english_client(admin_user)
        .get(reverse("manage:users"), {"q": applicant_a.enterprise.name[:4]})
        .content.decode()
    )

    assert ">applicant_a</a>" in html
    assert ">applicant_b</a>" not in html


def test_export_is_the_filtered_list_as_excel(admin_user, recommender_hz, recommender_nb, hangzhou):
    response = english_client(admin_user).get(
        reverse("manage:user_export"), {"role": Role.RECOMMENDER, "recommender": str(hangzhou.pk)}
    )

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == [
        [
            "Username",
            "Full name",
            "Role",
            "Recommender or enterprise",
            "E-mail",
            "Phone",
            "Active",
            "Last log-in",
        ],
        [
            "rec_hz",
            recommender_hz.full_name,
            "Recommender staff",
            "杭州市建筑业协会",
            recommender_hz.email,
            recommender_hz.phone or None,
            "Yes",
            None,
        ],
    ]


def test_list_links_the_export_with_its_filters(admin_user, recommender_hz):
    html = (
        english_client(admin_user)
        .get(reverse("manage:users"), {"role": Role.RECOMMENDER})
        .content.decode()
    )

    assert 'href="/manage/users/export/?role=recommender"' in html


def test_enterprise_is_typed_with_the_names_offered(admin_user, applicant_a):
    client = english_client(admin_user)

    html = client.get(reverse("manage:user_edit", args=[applicant_a.pk])).content.decode()
    wrong = client.post(
        reverse("manage:user_edit", args=[applicant_a.pk]),
        edit_data(applicant_a, enterprise="浙江不存在建设有限公司"),
    )

    name = applicant_a.enterprise.name
    assert f'name="enterprise" value="{name}"' in html
    assert 'list="id_enterprise_options"' in html
    assert f'<datalist id="id_enterprise_options"><option value="{name}"></option>' in html
    assert wrong.context["form"].errors == {
        "enterprise": ["There is no such name in the list: choose one of those offered."]
    }


def test_form_words_email_and_empty_choice(admin_user):
    client = english_client(admin_user)

    html = client.get(reverse("manage:user_create")).content.decode()
    response = client.post(reverse("manage:user_create"), new_account(email="zhoumin@"))

    assert '<label for="id_email">E-mail</label>' in html
    assert '<option value="" selected>Choose…</option>' in html
    assert "---------" not in html
    assert response.context["form"].errors["email"] == [
        "Enter an e-mail address such as name@example.com."
    ]
