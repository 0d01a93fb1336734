"""What the screening workspace reads: a fixed number of queries whatever the count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from banzu.accounts.models import Recommender
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.screening.enums import CheckCode, CheckStatus, EliminationReason
from banzu.screening.models import CheckResult, Decision


def in_screening(edition: Edition) -> QuerySet[Application]:
    """Every recommended application of the edition (it has its recommendation number)."""
    return (
        Application.objects.filter(edition=edition, recommendation_number__isnull=False)
        .select_related("team__enterprise", "recommender", "similarity_report")
        .prefetch_related(
            Prefetch("screening_checks", queryset=CheckResult.objects.order_by("code"))
        )
        .order_by("recommender__sort_order", "recommendation_number")
    )


@dataclass
class Row:
    application: Application
    checks: dict[str, CheckResult]
    marks: list[tuple[str, str, CheckResult | None]] = field(default_factory=list)

    @property
    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks.values() if c.status == CheckStatus.FAIL]


@dataclass(frozen=True)
class Filters:
    recommender: int | None = None
    industry: str = ""
    check: str = ""  # a CheckCode: applications whose check fails or asks for a look
    state: str = ""


def workspace_rows(edition: Edition, filters: Filters) -> list[Row]:
    applications = in_screening(edition)
    if filters.recommender:
        applications = applications.filter(recommender_id=filters.recommender)
    if filters.industry:
        applications = applications.filter(team__enterprise__industry=filters.industry)
    if filters.state:
        applications = applications.filter(state=filters.state)
    if filters.check in CheckCode.values:
        applications = applications.filter(
            screening_checks__code=filters.check,
            screening_checks__status__in=[CheckStatus.FAIL, CheckStatus.WARN],
        ).distinct()
    rows = []
    for application in applications:
        checks = {c.code: c for c in application.screening_checks.all()}
        row = Row(application=application, checks=checks)
        row.marks = [(code, str(label), checks.get(code)) for code, label in CheckCode.choices]
        rows.append(row)
    return rows


def filter_choices(edition: Edition) -> dict[str, Any]:
    applications = Application.objects.filter(edition=edition, recommendation_number__isnull=False)
    recommender_ids = applications.values_list("recommender_id", flat=True).distinct()
    industries = (
        applications.values_list("team__enterprise__industry", flat=True)
        .distinct()
        .order_by("team__enterprise__industry")
    )
    return {
        "recommenders": Recommender.objects.filter(pk__in=recommender_ids).order_by(
            "sort_order", "name"
        ),
        "industries": [i for i in industries if i],
        "checks": CheckCode.choices,
    }


@dataclass(frozen=True)
class SummaryRow:
    recommender: Recommender
    total: int
    passed: int
    eliminated: int
    disqualified: int
    pending: int
    by_reason: dict[str, int]


def summary(edition: Edition) -> tuple[list[SummaryRow], dict[str, int]]:
    """Counts per recommender and per reason (the latest decision of each application)."""
    applications = list(
        Application.objects.filter(edition=edition, recommendation_number__isnull=False)
        .select_related("recommender")
        .order_by("recommender__sort_order", "recommender__name")
    )
    latest: dict[int, Decision] = {}
    for decided in Decision.objects.filter(application__in=applications).order_by(
        "decided_at", "pk"
    ):
        latest[decided.application_id] = decided
    per_recommender: dict[int, list[Application]] = {}
    recommenders: dict[int, Recommender] = {}
    for application in applications:
        assert application.recommender is not None
        recommenders[application.recommender.pk] = application.recommender
        per_recommender.setdefault(application.recommender.pk, []).append(application)
    rows = []
    totals: Counter[str] = Counter()
    for pk, members in per_recommender.items():
        counts: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        for application in members:
            decision = latest.get(application.pk)
            outcome = decision.outcome if decision else "pending"
            counts[outcome] += 1
            if decision and decision.reason_code:
                reasons[decision.reason_code] += 1
        totals.update(reasons)
        rows.append(
            SummaryRow(
                recommender=recommenders[pk],
                total=len(members),
                passed=counts[Decision.Outcome.PASSED],
                eliminated=counts[Decision.Outcome.ELIMINATED],
                disqualified=counts[Decision.Outcome.DISQUALIFIED],
                pending=counts["pending"],
                by_reason={code: reasons[code] for code in EliminationReason.values},
            )
        )
    return rows, {code: totals[code] for code in EliminationReason.values}
