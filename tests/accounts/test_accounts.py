from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, User
from banzu.accounts.validators import is_valid_phone
from banzu.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import PASSWORD, UserFactory


@pytest.mark.parametrize(
    ("phone", "valid"),
    [
        ("13605792309", True),
        ("136 0579 2309", True),
        ("+86 13605792309", True),
        ("0571-81956046", True),
        ("057181956046", True),
        ("0571-81956046-123", True),
        ("010-12345678", True),
        ("12345", False),
        ("23605792309", False),
        ("1360579230", False),
        ("0571-819", False),
        ("phone", False),
    ],
)
def test_phone_formats(phone, valid):
    assert is_valid_phone(phone) is valid


@pytest.mark.django_db
def test_register_bad_phone_keeps_other_fields(client):
    response = client.post(
        reverse("accounts:register"),
        {"username": "lisi", "full_name": "李四", "email": "ls@example.com", "phone": "123"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = response.content.decode()
    assert "Enter a mainland mobile number" in text
    assert 'value="李四"' in text
    assert User.objects.filter(username="lisi").count() == 0


ENTERPRISE_DATA = {
    "name": "浙江丙建设工程有限公司",
    "industry": "房屋建筑工程",
    "ownership": "private",
    "address": "浙江省杭州市西湖区",
    "supervising_department": "质量安全部",
    "supervising_contact": "王工",
    "supervising_phone": "0571-81956046",
}


@pytest.mark.django_db
def test_enterprise_created_and_bound_to_applicant():
    user = UserFactory(username="new_applicant")
    response = client_for(user).post(reverse("accounts:enterprise"), ENTERPRISE_DATA)
    assert response["Location"] == reverse("applications:start")
    user.refresh_from_db()
    assert user.enterprise.name == "浙江丙建设工程有限公司"


@pytest.mark.django_db
def test_enterprise_full_name_required():
    user = UserFactory(username="new_applicant")
    response = client_for(user).post(
        reverse("accounts:enterprise"), ENTERPRISE_DATA | {"name": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This field is required." in response.content.decode()
    assert Enterprise.objects.filter(staff=user).count() == 0


@pytest.mark.django_db
def test_enterprise_edit_other_enterprise_impossible(applicant_a, applicant_b):
    # The view edits only the user's own enterprise; there is no id to tamper with.
    client_for(applicant_a).post(reverse("accounts:enterprise"), ENTERPRISE_DATA)
    applicant_b.enterprise.refresh_from_db()
    assert applicant_b.enterprise.name == "宁波乙建工集团有限公司"
    applicant_a.enterprise.refresh_from_db()
    assert applicant_a.enterprise.name == "浙江丙建设工程有限公司"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["recommender_hz", "admin_user", "expert"])
def test_enterprise_page_is_for_applicants_only(request, persona):
    response = client_for(request.getfixturevalue(persona)).get(reverse("accounts:enterprise"))
    assert response.status_code == 404


@pytest.mark.django_db
def test_enterprise_page_anonymous_redirects(client):
    response = client.get(reverse("accounts:enterprise"))
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_success_and_failure_are_audited(client, applicant_a):
    client.post(reverse("accounts:login"), {"username": "applicant_a", "password": "wrong"})
    client.post(reverse("accounts:login"), {"username": "applicant_a", "password": PASSWORD})
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions[-2:] == ["account.login_failed", "account.login"]


@pytest.mark.django_db
def test_login_throttled_by_username_and_ip(client, applicant_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "applicant_a", "password": "bad"})

    locked = client.post(
        reverse("accounts:login"), {"username": "applicant_a", "password": PASSWORD}
    )
    assert locked.status_code == 429
    # Another address is not locked out for the same user.
    other = client.post(
        reverse("accounts:login"),
        {"username": "applicant_a", "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
    )
    assert other.status_code == 302


@pytest.mark.django_db
def test_user_role_binding_constraints(hangzhou):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        User(username="x", role=Role.RECOMMENDER).full_clean(exclude=["password"])
    with pytest.raises(ValidationError):
        User(username="y", role=Role.EXPERT, recommender=hangzhou).full_clean(exclude=["password"])


@pytest.mark.django_db
def test_demo_loader_refuses_production_settings(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError) as refusal:
        call_command("load_demo")
    assert "Refusing to load demo data" in str(refusal.value)
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_demo_loader_refuses_when_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")


@pytest.mark.django_db
def test_deploy_check_fails_with_demo_accounts_in_production(settings):
    UserFactory(username="admin", is_demo=True, role=Role.ADMIN)
    settings.PRODUCTION = True
    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "banzu.E001"]
    assert [e.msg for e in errors] == ["Demo accounts exist in a production database: admin"]
