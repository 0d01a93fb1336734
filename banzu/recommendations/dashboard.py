"""The recommender's own work on its home page (answered through banzu.core.hooks.dashboard_cards,
since the applications app below may not import the recommendations): how many applications wait
for a decision and how many of them no one has scored yet, the staff member's own draft sheets,
what it returned (with the reason), recommended (with the numbers) and declined, and its batch
with the quota and the deadline. The enterprises' drafts are not its work and never show."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from banzu.accounts.enums import Role
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.selectors import time_left
from banzu.core import hooks
from banzu.editions.resolver import edition_for
from banzu.recommendations.enums import BatchState
from banzu.recommendations.selectors import RETURNED, batch_for_view, worklist
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet

DRAFTS_SHOWN = 5


def work_counts(queryset: Any) -> dict[str, int]:
    """The recommender's applications counted by what is left to do, in one query."""
    scored = ScoreSheet.objects.filter(
        application=OuterRef("pk"), stage=SheetStage.RECOMMENDER, state=SheetState.SUBMITTED
    )
    submitted = Q(state=ApplicationState.SUBMITTED)
    return dict(
        queryset.aggregate(
            awaiting=Count("pk", filter=submitted),
            unscored=Count("pk", filter=submitted & ~Q(Exists(scored))),
            returned=Count("pk", filter=RETURNED),
            recommended=Count("pk", filter=Q(recommendation_number__isnull=False)),
            declined=Count("pk", filter=Q(state=ApplicationState.NOT_RECOMMENDED)),
        )
    )


@receiver(hooks.dashboard_cards, dispatch_uid="recommendations.recommender_work")
def recommender_work_card(
    sender: type, request: Any, user: Any, **kwargs: Any
) -> SafeString | None:
    if getattr(user, "role", None) != Role.RECOMMENDER or user.recommender is None:
        return None
    edition = edition_for(request)
    if edition is None:
        return None
    recommender = user.recommender
    applications = worklist(recommender, edition)
    batch = batch_for_view(edition, recommender)
    drafts = list(
        ScoreSheet.objects.filter(
            scorer=user,
            stage=SheetStage.RECOMMENDER,
            application__in=applications.filter(state=ApplicationState.SUBMITTED),
        )
        .exclude(state=SheetState.SUBMITTED)
        .select_related("application__team")
        .order_by("application__team__name")
    )
    recommended = list(
        Application.objects.filter(
            recommender=recommender, edition=edition, recommendation_number__isnull=False
        )
        .select_related("team")
        .order_by("recommendation_number")
        .only("pk", "recommendation_number", "team__name")
    )
    return SafeString(
        render_to_string(
            "recommendations/_home_card.html",
            {
                "edition": edition,
                "recommender": recommender,
                "counts": work_counts(applications),
                "drafts": drafts[:DRAFTS_SHOWN],
                "more_drafts": max(0, len(drafts) - DRAFTS_SHOWN),
                "recommended": recommended,
                "batch": batch,
                "is_open": batch.state == BatchState.OPEN,
                "time_left": time_left(edition.recommendation_deadline),
            },
            request=request,
        )
    )
