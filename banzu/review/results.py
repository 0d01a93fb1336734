"""Reads of the expert review's outcome: each application's materials score from its experts'
sheets, and how far the experts agree over the edition.

A sheet counts when it is a submitted materials sheet whose scorer still holds a confirmed
assignment on the application: an expert who declared a conflict or was removed leaves
their sheet on record, but it never weighs. The arithmetic is banzu.scoring.core's (mean or
trimmed mean, rounded half up once) and banzu.review.agreement's (spread, leniency, ICC).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.editions.models import Edition, RubricItem
from banzu.review import agreement
from banzu.review.agreement import Icc, Spread
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment, ReviewSettings
from banzu.review.selectors import review_applications, settings_for
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ItemScore, ScoreSheet


@dataclass
class SheetScore:
    sheet: ScoreSheet
    expert: User  # the scorer
    total: Decimal
    items: dict[int, Decimal]  # rubric item id -> points
    dropped: bool = False  # left out of the trimmed mean (still counted for agreement)


@dataclass
class ApplicationResult:
    application: Application
    sheets: list[SheetScore]
    score: Decimal | None  # out of 100, two decimals; None without a counted sheet
    weighted: Decimal | None  # out of the edition's materials weight, from the exact mean
    spread: Spread | None
    flagged: bool  # the experts' standard deviation is above the edition's level
    expected: int  # experts per application (k)
    rank: int | None = None  # set by edition_results: equal scores share a rank

    @property
    def complete(self) -> bool:
        return len(self.sheets) >= self.expected

    @property
    def kept(self) -> list[SheetScore]:
        return [sheet for sheet in self.sheets if not sheet.dropped]


@dataclass(frozen=True)
class LeniencyRow:
    expert: User
    n: int  # applications compared with the other experts
    mean_deviation: float | None  # points out of 100; positive: more generous than the others


@dataclass
class EditionResults:
    edition: Edition
    settings: ReviewSettings
    rubric: list[RubricItem]
    rows: list[ApplicationResult]
    leniency: list[LeniencyRow]
    icc: Icc | None
    ratings: int = field(default=0)  # counted sheets over the edition

    @property
    def scored(self) -> int:
        return sum(1 for row in self.rows if row.score is not None)

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.flagged)


ICC_BANDS = ((0.5, "poor"), (0.75, "moderate"), (0.9, "good"))


def icc_band(value: float) -> str:
    """Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, 0.75–0.9 good, above 0.9 excellent."""
    for limit, band in ICC_BANDS:
        if value < limit:
            return band
    return "excellent"


def counted_sheets(applications: QuerySet[Application] | list[Application]) -> list[ScoreSheet]:
    """The sheets that count for the applications, with their scorer and item scores, in two
    queries (a queryset is used as a subquery, so no list of ids grows with the edition)."""
    confirmed = Assignment.objects.filter(
        application_id=OuterRef("application_id"),
        expert_id=OuterRef("scorer_id"),
        state=AssignmentState.CONFIRMED,
    )
    return list(
        ScoreSheet.objects.filter(
            application__in=applications,
            stage=SheetStage.MATERIALS,
            state=SheetState.SUBMITTED,
        )
        .filter(Exists(confirmed))
        .select_related("scorer")
        .prefetch_related(Prefetch("items", queryset=ItemScore.objects.order_by("pk")))
        .order_by("application_id", "pk")
    )


def _result(
    application: Application,
    sheets: list[ScoreSheet],
    *,
    edition: Edition,
    settings: ReviewSettings,
) -> ApplicationResult:
    scores = [
        SheetScore(
            sheet=sheet,
            expert=sheet.scorer,
            total=sheet.total,
            items={item.rubric_item_id: item.points for item in sheet.items.all()},
        )
        for sheet in sheets
    ]
    by_pk = {score.sheet.pk: score for score in scores}
    aggregate = core.aggregate_sheets(
        {pk: score.total for pk, score in by_pk.items()},
        rule=edition.aggregation_rule,
        trim_min=edition.trim_min_experts,
    )
    for pk in aggregate.dropped:
        by_pk[pk].dropped = True
    figures = agreement.spread([score.total for score in scores]) if scores else None
    return ApplicationResult(
        application=application,
        sheets=scores,
        score=aggregate.score,
        weighted=core.weighted_share(aggregate, edition.materials_weight),
        spread=figures,
        flagged=figures is not None and agreement.flagged(figures, sd_above=settings.spread_flag),
        expected=settings.experts_per_application,
    )


def application_result(application: Application) -> ApplicationResult:
    edition = application.edition
    return _result(
        application,
        counted_sheets([application]),
        edition=edition,
        settings=settings_for(edition),
    )


def _ranked(rows: list[ApplicationResult]) -> list[ApplicationResult]:
    """Highest score first, unscored last. Equal scores (as published, two decimals) share a
    rank, 1 1 3; among them the recommendation number orders the rows."""
    rows = sorted(
        rows,
        key=lambda row: (
            row.score is None,
            -(row.score or 0),
            row.application.recommendation_number or "",
            row.application.pk,
        ),
    )
    previous: Decimal | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        if row.score is None:
            break
        if row.score != previous:
            rank = position
        row.rank = rank
        previous = row.score
    return rows


def edition_results(edition: Edition) -> EditionResults:
    """Every review application with its result, ranked, and the agreement figures over the
    edition's counted sheets. A fixed number of queries, whatever the number of applications."""
    settings = settings_for(edition)
    # The rubric in position order (Meta ordering), from the edition's prefetch when it has one.
    rubric = sorted(edition.rubric_items.all(), key=lambda item: item.position)
    applications = list(review_applications(edition))
    by_application: dict[int, list[ScoreSheet]] = {}
    for sheet in counted_sheets(review_applications(edition)):
        by_application.setdefault(sheet.application_id, []).append(sheet)
    rows = [
        _result(
            application,
            by_application.get(application.pk, []),
            edition=edition,
            settings=settings,
        )
        for application in applications
    ]
    ratings = [
        agreement.Rating(
            application=row.application.pk, expert=score.sheet.scorer_id, total=score.total
        )
        for row in rows
        for score in row.sheets
    ]
    experts = {score.sheet.scorer_id: score.expert for row in rows for score in row.sheets}
    leniency = [
        LeniencyRow(expert=experts[found.expert], n=found.n, mean_deviation=found.mean_deviation)
        for found in agreement.leniency(ratings).values()
    ]
    leniency.sort(
        key=lambda row: (
            row.mean_deviation is None,
            -(row.mean_deviation or 0.0),
            row.expert.full_name,
            row.expert.username,
        )
    )
    return EditionResults(
        edition=edition,
        settings=settings,
        rubric=rubric,
        rows=_ranked(rows),
        leniency=leniency,
        icc=agreement.icc(ratings),
        ratings=len(ratings),
    )
