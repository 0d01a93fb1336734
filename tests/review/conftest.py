"""Review personas: experts assigned, unassigned, conflicted and pending on one application under
review, in the English interface."""

from __future__ import annotations

import pytest
from django.utils import translation

from banzu.applications.enums import ApplicationState
from banzu.review.enums import AssignmentSource, AssignmentState
from banzu.review.models import Assignment
from tests.factories import ApplicationFactory, ExpertProfileFactory, UserFactory, complete_fields


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def reviewed_application(**kwargs):
    """An application that passed screening and is under expert review."""
    fields = complete_fields() | kwargs.pop("fields", {})
    kwargs.setdefault("state", ApplicationState.UNDER_REVIEW)
    application = ApplicationFactory(**kwargs, **fields)
    application.recommendation_number = f"杭-2026-{application.pk:03d}"
    application.save(update_fields=["recommendation_number"])
    return application


@pytest.fixture
def application(edition, applicant_a):
    return reviewed_application(
        team__enterprise=applicant_a.enterprise, created_by=applicant_a, edition=edition
    )


def make_expert(username: str, full_name: str | None = None, **kwargs):
    names = {"full_name": full_name} if full_name else {}
    user = UserFactory(username=username, role="expert", **names)
    return ExpertProfileFactory(user=user, **kwargs).user


def assign(application, expert, state=AssignmentState.CONFIRMED, reason=""):
    return Assignment.objects.create(
        application=application,
        expert=expert,
        state=state,
        source=AssignmentSource.MANUAL,
        reason=reason,
    )


@pytest.fixture
def expert_assigned(application):
    """Expert who declared no conflict on the application."""
    user = make_expert("expert_assigned")
    assign(application, user)
    return user


@pytest.fixture
def expert_pending(application):
    """Expert assigned to the application who has not declared yet."""
    user = make_expert("expert_pending")
    assign(application, user, AssignmentState.PENDING)
    return user


@pytest.fixture
def expert_conflicted(application):
    """Expert who declared a conflict on the application (the assignment is removed)."""
    user = make_expert("expert_conflicted")
    assign(application, user, AssignmentState.CONFLICT, reason="曾为该单位提供咨询服务")
    return user


@pytest.fixture
def expert_unassigned(db):
    """Expert in the pool with nothing to do with the application."""
    return make_expert("expert_unassigned")
