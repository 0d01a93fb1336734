"""The conflict declaration needs an explicit answer: a POST without one (or with another value)
is refused and changes nothing; it never counts as "no conflict" (issue 16, item 10)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

REFUSAL = "Choose one of the two answers: no conflict, or a conflict."


@pytest.mark.parametrize(
    "data",
    [{}, {"answer": ""}, {"answer": "yes"}, {"reason": "曾为该单位提供咨询"}],
    ids=["empty", "blank answer", "unknown answer", "reason only"],
)
def test_declaration_without_an_answer_is_refused(application, expert_pending, data):
    client = client_for(expert_pending)

    response = client.post(reverse("review:declare", args=[application.pk]), data)

    assert response.status_code == 200
    assert REFUSAL in response.content.decode()
    assignment = Assignment.objects.get(expert=expert_pending)
    assert (assignment.state, assignment.declared_at) == (AssignmentState.PENDING, None)
    assert not AuditEntry.objects.filter(action__startswith="review.assignment").exists()
    # The materials stay closed.
    assert client.get(reverse("review:sheet", args=[application.pk])).status_code == 404


def test_declaration_with_the_answer_none_opens_the_materials(application, expert_pending):
    response = client_for(expert_pending).post(
        reverse("review:declare", args=[application.pk]), {"answer": "none"}
    )

    assert response["Location"] == reverse("review:sheet", args=[application.pk])
    assert Assignment.objects.get(expert=expert_pending).state == AssignmentState.CONFIRMED


def test_declared_conflict_keeps_its_reason_trimmed(application, expert_pending):
    client_for(expert_pending).post(
        reverse("review:declare", args=[application.pk]),
        {"answer": "conflict", "reason": "  亲属在该单位任职  "},
    )

    assignment = Assignment.objects.get(expert=expert_pending)
    assert (assignment.state, assignment.reason) == (AssignmentState.CONFLICT, "亲属在该单位任职")
