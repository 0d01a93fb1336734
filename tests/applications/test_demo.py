from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command

from banzu.accounts.models import User
from banzu.applications.models import Application


@pytest.mark.django_db
def test_demo_loader_builds_valid_data_through_the_services(capsys, settings):
    settings.DEBUG = True
    call_command("load_demo")

    out = capsys.readouterr().out
    assert "applicant" in out
    assert "banzu-demo" in out
    states = Counter(Application.objects.values_list("state", flat=True))
    assert sum(states.values()) == 40
    assert set(states) == {"draft", "submitted", "withdrawn"}
    assert Application.objects.values("recommender").distinct().count() == 12
    logins = {u.username: u for u in User.objects.filter(is_demo=True)}
    for username, role in [
        ("admin", "admin"),
        ("recommender", "recommender"),
        ("applicant", "applicant"),
        ("expert", "expert"),
    ]:
        assert logins[username].role == role
        assert logins[username].check_password("banzu-demo")
    assert logins["recommender"].recommender.short_name == "杭州"
    submitted = Application.objects.filter(state="submitted").first()
    assert submitted.documents.filter(superseded_at__isnull=True).count() == 4

    call_command("load_demo")  # a second run changes nothing
    assert Application.objects.count() == 40
    call_command("verify_audit")
