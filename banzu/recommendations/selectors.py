"""Reads for the recommender stage. Region data is reachable only through a Recommender."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.permissions import get_application_for_user_or_404
from banzu.core.access import deny, is_admin
from banzu.editions.models import Edition
from banzu.recommendations.models import Batch

# What a recommender works on: everything submitted to it, whatever happened since.
RECOMMENDER_STATES = [
    ApplicationState.SUBMITTED,
    ApplicationState.RECOMMENDED,
    ApplicationState.NOT_RECOMMENDED,
    ApplicationState.WITHDRAWN,
    ApplicationState.SCREENED,
    ApplicationState.ELIMINATED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.SCORED,
    ApplicationState.PRESENTED,
    ApplicationState.RANKED,
    ApplicationState.PUBLISHED,
    ApplicationState.DISQUALIFIED,
]


def applications_for_recommender(
    recommender: Recommender, edition: Edition
) -> QuerySet[Application]:
    """The recommender's applications in an edition. There is no unscoped variant."""
    if not isinstance(recommender, Recommender) or recommender.pk is None:
        raise ValueError("a saved Recommender is required")
    return Application.objects.filter(
        recommender=recommender, edition=edition, state__in=RECOMMENDER_STATES
    ).select_related("team", "team__enterprise", "recommender", "edition")


def recommender_for_user_or_404(
    user: User | AnonymousUser, recommender_pk: Any = None
) -> Recommender:
    """Staff get their own recommender (another's pk is 404); the admin names one by pk."""
    if not user.is_authenticated:
        raise Http404
    if user.role == Role.RECOMMENDER and user.recommender is not None:
        if recommender_pk is not None and str(recommender_pk) != str(user.recommender_id):
            raise Http404
        return user.recommender
    if is_admin(user) and recommender_pk is not None:
        recommender = Recommender.objects.filter(pk=recommender_pk).first()
        if recommender is None:
            raise Http404
        return recommender
    # Applicants and experts have no recommender: the pages are outside their scope.
    raise deny(user, "recommender", recommender_pk or "")


def get_reviewable_application_or_404(
    user: User | AnonymousUser, pk: Any, *, ip: str | None = None
) -> Application:
    """An application as its recommender's staff (or the admin) works on it; 404 elsewhere."""
    if getattr(user, "role", None) not in (Role.RECOMMENDER, Role.ADMIN):
        # Applicants and experts have no recommender pages at all, even for their own work.
        raise Http404
    return get_application_for_user_or_404(user, pk, ip=ip)


def batch_for_view(edition: Edition, recommender: Recommender) -> Batch:
    batch, _created = Batch.objects.get_or_create(edition=edition, recommender=recommender)
    return batch
