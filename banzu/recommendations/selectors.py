"""Reads for the recommender stage. Region data is reachable only through a Recommender."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.applications.rules import REQUIRED_DOCUMENTS
from banzu.applications.selectors import DocumentSlot
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


# A returned application is back in draft after a submission, with the recommender's reason (the
# applicant's own reopening after a withdrawal carries none). It stays on the recommender's list.
RETURNED = Q(state=ApplicationState.DRAFT, submitted_at__isnull=False) & ~Q(state_reason="")
RETURNED_FILTER = "returned"


def is_returned(application: Application) -> bool:
    return (
        application.state == ApplicationState.DRAFT
        and application.submitted_at is not None
        and bool(application.state_reason)
    )


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


def worklist(
    recommender: Recommender, edition: Edition, *, query: str = ""
) -> QuerySet[Application]:
    """The recommender's list: what was submitted to it, and what it returned for changes;
    `query` finds a team, an enterprise or a recommendation number."""
    if not isinstance(recommender, Recommender) or recommender.pk is None:
        raise ValueError("a saved Recommender is required")
    qs = Application.objects.filter(recommender=recommender, edition=edition).filter(
        Q(state__in=RECOMMENDER_STATES) | RETURNED
    )
    if query:
        qs = qs.filter(
            Q(team__name__icontains=query)
            | Q(team__enterprise__name__icontains=query)
            | Q(recommendation_number__icontains=query)
        )
    return qs.select_related("team", "team__enterprise", "recommender", "edition")


def slots_at(application: Application, moment: dt.datetime) -> list[DocumentSlot]:
    """The application's files as they were at `moment` (a returned application's files as the
    recommender returned them, not the enterprise's uploads since)."""
    documents = [
        document
        for document in Document.objects.filter(application=application, uploaded_at__lte=moment)
        if document.superseded_at is None or document.superseded_at > moment
    ]
    slots = []
    for kind in REQUIRED_DOCUMENTS:
        current = max(
            (d for d in documents if d.kind == kind), key=lambda d: d.uploaded_at, default=None
        )
        slots.append(DocumentSlot(DocumentKind(kind), current, 0))
    return slots
