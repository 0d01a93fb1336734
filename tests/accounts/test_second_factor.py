from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from banzu.audit.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_factor_on(settings):
    settings.REQUIRE_SECOND_FACTOR = True


def _current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


@pytest.mark.parametrize("persona", ["admin_user", "expert"])
def test_admin_and_expert_must_enrol_before_any_page(request, persona):
    client = client_for(request.getfixturevalue(persona))

    response = client.get(reverse("applications:list"))

    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/")


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz"])
def test_other_roles_need_no_second_factor(request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 200


def test_enrolment_shows_qr_and_confirms_with_a_valid_code(admin_user):
    client = client_for(admin_user)
    page = client.get("/accounts/2fa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Set up your second factor" in page
    assert '<svg width="' in page
    device = TOTPDevice.objects.get(user=admin_user)

    response = client.post("/accounts/2fa/", {"token": _current_code(device)})

    assert response["Location"] == "/"
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(reverse("applications:list")).status_code == 200
    assert list(
        AuditEntry.objects.filter(action__startswith="account.second_factor").values_list(
            "action", flat=True
        )
    ) == ["account.second_factor_enrolled", "account.second_factor_verified"]


def test_wrong_code_is_refused_and_audited(expert):
    client = client_for(expert)
    client.get("/accounts/2fa/")
    device = TOTPDevice.objects.get(user=expert)
    wrong = f"{(int(_current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post("/accounts/2fa/", {"token": wrong}, HTTP_ACCEPT_LANGUAGE="en")

    assert "The code is not right or has expired." in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="account.second_factor_failed").count() == 1


def test_later_login_asks_for_the_code_not_a_new_enrolment(admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="authenticator", confirmed=True)
    client = client_for(admin_user)

    page = client.get("/accounts/2fa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm your login" in page
    assert "<svg" not in page

    client.post("/accounts/2fa/", {"token": _current_code(device)})
    assert client.get(reverse("manage:editions")).status_code == 200
    assert TOTPDevice.objects.filter(user=admin_user).count() == 1


def test_second_factor_is_on_by_default_in_production():
    import subprocess
    import sys

    code = (
        "import os;os.environ.update(BANZU_ENV='production',SECRET_KEY='x'*50);"
        "import banzu.settings as s;print(s.REQUIRE_SECOND_FACTOR)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "True"
