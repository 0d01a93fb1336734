"""Reads of the expert review: the pool, the conflicts, who reviews what, and the progress."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.review.enums import ACTIVE_ASSIGNMENT_STATES, AssignmentState
from banzu.review.models import Assignment, ExpertProfile, Reminder, ReviewSettings
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet

# The applications the experts review: passed the screening, not yet beyond the review.
REVIEW_STATES = (ApplicationState.SCREENED, ApplicationState.UNDER_REVIEW, ApplicationState.SCORED)


def settings_for(edition: Edition) -> ReviewSettings:
    settings, _created = ReviewSettings.objects.get_or_create(edition=edition)
    return settings


def review_applications(edition: Edition) -> QuerySet[Application]:
    return (
        Application.objects.filter(edition=edition, state__in=REVIEW_STATES)
        .select_related("team__enterprise", "recommender")
        .order_by("recommender__sort_order", "recommendation_number", "pk")
    )


def pool(*, available_only: bool = False) -> QuerySet[ExpertProfile]:
    """The expert profiles of active expert accounts."""
    profiles = (
        ExpertProfile.objects.filter(user__role=Role.EXPERT, user__is_active=True)
        .select_related("user", "employer")
        .prefetch_related("recommenders")
    )
    if available_only:
        profiles = profiles.filter(is_available=True)
    return profiles


def organisation_key(text: str) -> str:
    """A name as the conflict checks compare it: NFKC (full-width letters and digits become
    ASCII), without any white space, case folded. "" for a blank name, which matches nothing."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def conflict_reason(profile: ExpertProfile, application: Application) -> str:
    """Why the expert may not review the application ("" when they may): they work for its
    enterprise, or they belong to its recommender (domain.md) — by the profile's links, or by
    an organisation that is the enterprise's or the recommender's name."""
    enterprise = application.team.enterprise
    organisation = organisation_key(profile.organisation)
    if profile.employer_id == enterprise.pk or (
        organisation and organisation == organisation_key(enterprise.name)
    ):
        return "enterprise"
    if any(r.pk == application.recommender_id for r in profile.recommenders.all()) or (
        organisation and organisation == organisation_key(application.recommender.name)
    ):
        return "recommender"
    return ""


def automatic_conflicts(
    applications: Iterable[Application], profiles: Iterable[ExpertProfile]
) -> dict[tuple[int, int], str]:
    """(application id, expert user id) -> reason, for every conflicted pair. Indexed so that
    500 applications × 80 experts costs a few dictionary look-ups each, not 40,000 checks.
    The applications come with their recommender (review_applications selects it)."""
    by_enterprise: dict[int, list[int]] = defaultdict(list)
    by_name: dict[str, list[int]] = defaultdict(list)
    by_recommender: dict[int, list[int]] = defaultdict(list)
    for profile in profiles:
        if profile.employer_id:
            by_enterprise[profile.employer_id].append(profile.user_id)
        if key := organisation_key(profile.organisation):
            by_name[key].append(profile.user_id)
        for recommender in profile.recommenders.all():
            by_recommender[recommender.pk].append(profile.user_id)
    conflicts: dict[tuple[int, int], str] = {}
    for application in applications:
        enterprise = application.team.enterprise
        recommender_name = organisation_key(application.recommender.name)
        for expert_id in [
            *by_recommender.get(application.recommender_id, []),
            *by_name.get(recommender_name, []),
        ]:
            conflicts[(application.pk, expert_id)] = "recommender"
        for expert_id in [
            *by_enterprise.get(enterprise.pk, []),
            *by_name.get(organisation_key(enterprise.name), []),
        ]:
            conflicts[(application.pk, expert_id)] = "enterprise"
    return conflicts


def blocked_pairs(edition: Edition) -> set[tuple[int, int]]:
    """Pairs an expert declared a conflict on, or the admin removed: never assigned again
    automatically."""
    return set(
        Assignment.objects.filter(
            application__edition=edition,
            state__in=(AssignmentState.CONFLICT, AssignmentState.REMOVED),
        ).values_list("application_id", "expert_id")
    )


def active_assignments(edition: Edition) -> QuerySet[Assignment]:
    return Assignment.objects.active().filter(application__edition=edition)


@dataclass(frozen=True)
class ExpertReview:
    assignment: Assignment
    sheet: ScoreSheet | None

    @property
    def submitted(self) -> bool:
        return self.sheet is not None and self.sheet.state == SheetState.SUBMITTED


def expert_assignments(user: User, edition: Edition) -> list[ExpertReview]:
    """The expert's active assignments, each with their own materials sheet."""
    assignments = list(
        Assignment.objects.active()
        .filter(expert=user, application__edition=edition, application__state__in=REVIEW_STATES)
        .select_related("application__team__enterprise", "application__recommender")
        .order_by(
            "application__recommender__sort_order",
            "application__recommendation_number",
            "application_id",
        )
    )
    sheets = {
        sheet.application_id: sheet
        for sheet in ScoreSheet.objects.filter(
            scorer=user,
            stage=SheetStage.MATERIALS,
            application_id__in=[a.application_id for a in assignments],
        )
    }
    return [ExpertReview(a, sheets.get(a.application_id)) for a in assignments]


@dataclass
class ExpertProgress:
    expert: User
    assigned: int = 0
    pending: int = 0  # not yet declared
    drafts: int = 0
    submitted: int = 0
    last_reminded: Any = None

    @property
    def outstanding(self) -> int:
        return self.assigned - self.submitted

    @property
    def behind(self) -> bool:
        return self.outstanding > 0


@dataclass
class ApplicationProgress:
    application: Application
    experts: list[tuple[Any, str]] = field(default_factory=list)  # (user, sheet state or "")
    submitted: int = 0
    conflicts: int = 0

    @property
    def assigned(self) -> int:
        return len(self.experts)


@dataclass
class Progress:
    experts: list[ExpertProgress]
    applications: list[ApplicationProgress]
    k: int

    @property
    def sheets_due(self) -> int:
        return sum(row.assigned for row in self.applications)

    @property
    def sheets_submitted(self) -> int:
        return sum(row.submitted for row in self.applications)


def progress(edition: Edition) -> Progress:
    """The admin's board: sheets per expert and per application, in a fixed number of queries."""
    applications = list(
        review_applications(edition).prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("expert").order_by("expert__username"),
            )
        )
    )
    sheets = {
        (sheet.application_id, sheet.scorer_id): sheet.state
        for sheet in ScoreSheet.objects.filter(
            application__in=applications, stage=SheetStage.MATERIALS
        ).only("application_id", "scorer_id", "state")
    }
    experts: dict[int, ExpertProgress] = {
        profile.user_id: ExpertProgress(profile.user) for profile in pool()
    }
    rows = []
    for application in applications:
        row = ApplicationProgress(application)
        for assignment in application.assignments.all():
            if assignment.state == AssignmentState.CONFLICT:
                row.conflicts += 1
            if assignment.state not in ACTIVE_ASSIGNMENT_STATES:
                continue
            state = sheets.get((application.pk, assignment.expert_id), "")
            row.experts.append((assignment.expert, state))
            expert = experts.setdefault(assignment.expert_id, ExpertProgress(assignment.expert))
            expert.assigned += 1
            if assignment.state == AssignmentState.PENDING:
                expert.pending += 1
            if state == SheetState.SUBMITTED:
                row.submitted += 1
                expert.submitted += 1
            elif state == SheetState.DRAFT:
                expert.drafts += 1
        rows.append(row)
    for reminder in Reminder.objects.filter(edition=edition).order_by("sent_at"):
        if reminder.expert_id in experts:
            experts[reminder.expert_id].last_reminded = reminder.sent_at
    ordered = sorted(
        experts.values(), key=lambda e: (-e.outstanding, e.expert.full_name, e.expert.username)
    )
    return Progress(ordered, rows, settings_for(edition).experts_per_application)
