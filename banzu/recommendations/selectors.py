"""Reads for the recommender stage. Region data is reachable only through a Recommender."""

from __future__ import annotations

from django.db.models import QuerySet

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
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


def batch_for_view(edition: Edition, recommender: Recommender) -> Batch:
    batch, _created = Batch.objects.get_or_create(edition=edition, recommender=recommender)
    return batch
