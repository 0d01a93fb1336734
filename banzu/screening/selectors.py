"""What the screening workspace reads: a fixed number of queries whatever the count."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.screening.enums import CheckCode, CheckStatus, EliminationReason
from banzu.screening.models import CheckResult, Decision

NOT_RUN = _("Not run yet")


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


def submitted_recommenders(edition: Edition) -> set[int]:
    """The recommenders whose batch of the edition is submitted: the screening of their
    applications has started (a batch the admin reopened waits again)."""
    return set(
        Batch.objects.filter(edition=edition, state=BatchState.SUBMITTED).values_list(
            "recommender_id", flat=True
        )
    )


def batch_submitted(application: Application) -> bool:
    return Batch.objects.filter(
        edition_id=application.edition_id,
        recommender_id=application.recommender_id,
        state=BatchState.SUBMITTED,
    ).exists()


@dataclass(frozen=True)
class OpenCheck:
    """A check that keeps an application out of the bulk pass: failed, asking for a look,
    pending, or not run at all (`status` is then empty)."""

    code: str
    label: str
    status: str
    status_label: str
    reason: str = ""

    def __str__(self) -> str:
        return f"{self.label}: {self.status_label}"


def open_checks(results: Iterable[CheckResult]) -> list[OpenCheck]:
    """Every check, in the workspace's order, that has not passed (a missing one included)."""
    by_code = {result.code: result for result in results}
    found = []
    for code, label in CheckCode.choices:
        result = by_code.get(code)
        if result is None:
            found.append(OpenCheck(code, str(label), "", str(NOT_RUN)))
        elif result.status != CheckStatus.PASS:
            found.append(
                OpenCheck(
                    code,
                    str(label),
                    result.status,
                    str(result.get_status_display()),
                    result.reason,
                )
            )
    return found


@dataclass
class Row:
    application: Application
    checks: dict[str, CheckResult]
    marks: list[tuple[str, str, CheckResult | None]] = field(default_factory=list)
    batch_submitted: bool = True

    @property
    def failing(self) -> list[CheckResult]:
        return [c for c in self.checks.values() if c.status == CheckStatus.FAIL]

    @property
    def open_checks(self) -> list[OpenCheck]:
        return open_checks(self.checks.values())

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.checks.values() if c.status == CheckStatus.PASS)

    @property
    def undecided(self) -> bool:
        return self.application.state == ApplicationState.RECOMMENDED

    @property
    def waiting_for_batch(self) -> bool:
        return self.undecided and not self.batch_submitted

    @property
    def passes_in_bulk(self) -> bool:
        """Decidable now, every check passed: the bulk pass may take it."""
        return self.undecided and self.batch_submitted and not self.open_checks

    @property
    def needs_confirmation(self) -> bool:
        return self.undecided and self.batch_submitted and bool(self.open_checks)


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
    submitted = submitted_recommenders(edition)
    rows = []
    for application in applications:
        checks = {c.code: c for c in application.screening_checks.all()}
        row = Row(
            application=application,
            checks=checks,
            batch_submitted=application.recommender_id in submitted,
        )
        row.marks = [(code, str(label), checks.get(code)) for code, label in CheckCode.choices]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class Tally:
    """How the listed applications stand, for the line above the list."""

    in_bulk: int
    to_confirm: int
    waiting: int
    decided: int


def tally(rows: list[Row]) -> Tally:
    return Tally(
        in_bulk=sum(row.passes_in_bulk for row in rows),
        to_confirm=sum(row.needs_confirmation for row in rows),
        waiting=sum(row.waiting_for_batch for row in rows),
        decided=sum(not row.undecided for row in rows),
    )


@dataclass(frozen=True)
class CheckCounts:
    """The automatic checks of the edition as they stand: how many applications were checked,
    passed every check, failed one, ask for a look, or wait for a check (pending)."""

    checked: int
    clean: int
    failed: int
    to_look_at: int
    pending: int
    last_checked: Any = None


def check_counts(edition: Edition) -> CheckCounts:
    by_application: dict[int, dict[str, str]] = {}
    last = None
    for application_id, code, status, checked_at in CheckResult.objects.filter(
        application__edition=edition, application__recommendation_number__isnull=False
    ).values_list("application_id", "code", "status", "checked_at"):
        by_application.setdefault(application_id, {})[code] = status
        last = checked_at if last is None or checked_at > last else last
    every = set(CheckCode.values)
    clean = failed = to_look_at = pending = 0
    for results in by_application.values():
        statuses = set(results.values())
        if CheckStatus.FAIL in statuses:
            failed += 1
        elif CheckStatus.WARN in statuses:
            to_look_at += 1
        elif CheckStatus.PENDING in statuses or set(results) != every:
            pending += 1
        else:
            clean += 1
    return CheckCounts(
        checked=len(by_application),
        clean=clean,
        failed=failed,
        to_look_at=to_look_at,
        pending=pending,
        last_checked=last,
    )


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
