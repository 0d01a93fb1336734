"""A refused start of a recommender's submission package is journalled with the caller's address,
like every other refusal (issue 16, item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.jobs.models import Job
from tests.conftest import client_for


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["recommender_nb", "applicant_a", "expert"])
def test_package_start_outside_the_scope_is_journalled_with_the_ip(request, persona, hangzhou):
    user = request.getfixturevalue(persona)

    response = client_for(user).post(
        reverse("documents:package_start", args=[hangzhou.pk]), REMOTE_ADDR="203.0.113.9"
    )

    assert response.status_code == 404
    denial = AuditEntry.objects.filter(action="access.denied").get()
    assert (denial.actor_id, denial.ip, denial.data) == (
        user.pk,
        "203.0.113.9",
        {"object": "package recommender", "id": str(hangzhou.pk), "code": "404"},
    )
    assert Job.objects.count() == 0
