"""The recommender stage's tables: Attachment 2 (推荐汇总表) on screen and as Word, PDF and Excel
(rendered by banzu.documents), and the board.

Attachment 2's title and column names are the form's own, fixed by domain.md, so the file reads
the same whatever language the person downloading it uses; the page translates its headers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState
from banzu.audit.services import record
from banzu.documents import services as documents
from banzu.documents.layouts import attachment2
from banzu.documents.services import Format
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.recommendations.selectors import RECOMMENDER_STATES, applications_for_recommender
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet


@dataclass(frozen=True)
class Attachment2Row:
    position: int
    application_pk: int
    recommendation_number: str
    enterprise_name: str
    team_name: str
    experience_title: str
    member_count: int | None
    contact_name: str
    contact_phone: str
    preliminary_score: Decimal | None
    remarks: str

    def cells(self) -> list[Any]:
        return [
            self.position,
            self.recommendation_number,
            self.enterprise_name,
            self.team_name,
            self.experience_title,
            self.member_count,
            self.contact_name,
            self.contact_phone,
            self.preliminary_score,
            self.remarks,
        ]


def _number_key(number: str) -> tuple[str, int]:
    # "杭-2026-001": compare the sequence as a number, so that 1000 follows 999.
    head, _sep, tail = number.rpartition("-")
    return (head, int(tail)) if tail.isdigit() else (number, 0)


def attachment2_rows(recommender: Recommender, edition: Edition) -> list[Attachment2Row]:
    """Every application the recommender recommended in the edition, best preliminary score
    first (unscored last), ties by recommendation number. Two queries whatever the count."""
    sheets = ScoreSheet.objects.filter(
        stage=SheetStage.RECOMMENDER, state=SheetState.SUBMITTED
    ).only("id", "application_id", "total")
    applications = applications_for_recommender(recommender, edition).filter(
        recommendation_number__isnull=False
    )
    scored = []
    for application in applications.prefetch_related(
        Prefetch("score_sheets", queryset=sheets, to_attr="recommender_sheets")
    ):
        score = core.aggregate(
            [sheet.total for sheet in application.recommender_sheets],
            rule=edition.aggregation_rule,
            trim_min=edition.trim_min_experts,
        )
        scored.append((application, score))
    scored.sort(
        key=lambda pair: (
            pair[1] is None,
            -(pair[1] or Decimal(0)),
            _number_key(pair[0].recommendation_number or ""),
        )
    )
    return [
        Attachment2Row(
            position=position,
            application_pk=application.pk,
            recommendation_number=application.recommendation_number or "",
            enterprise_name=application.team.enterprise.name,
            team_name=application.team.name,
            experience_title=application.experience_title,
            member_count=application.member_count,
            contact_name=application.contact_name,
            contact_phone=application.contact_phone,
            preliminary_score=score,
            # The form leaves this column for the recommender's own notes on the printed table.
            remarks="",
        )
        for position, (application, score) in enumerate(scored, start=1)
    ]


def attachment2_title(edition: Edition) -> str:
    return attachment2.title(edition.year)


def export_attachment2(
    *,
    recommender: Recommender,
    edition: Edition,
    user: Any,
    fmt: Format = "xlsx",
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[str, bytes]:
    """Attachment 2 as .docx, .pdf or .xlsx (name, bytes); the download is in the journal."""
    rendered = documents.attachment2_file(recommender, edition, fmt, today=today)
    record(
        action="export.attachment2",
        actor=user,
        target=recommender,
        data={"edition": edition.year, "format": fmt},
        ip=ip,
    )
    return rendered.filename, rendered.content


# --- The provincial board -------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    recommender: Recommender
    received: int
    scored: int
    recommended: int
    not_recommended: int
    returned: int
    batch: Batch | None


def board_rows(edition: Edition) -> list[BoardRow]:
    """Every active recommender with its counts for the edition: two queries in all."""
    in_edition = Q(applications__edition=edition)
    scored_sheet = Q(
        applications__score_sheets__stage=SheetStage.RECOMMENDER,
        applications__score_sheets__state=SheetState.SUBMITTED,
    )
    # Counting distinct applications keeps the score-sheet join from inflating the figures.
    recommenders = Recommender.objects.filter(is_active=True).annotate(
        received=Count(
            "applications",
            distinct=True,
            filter=in_edition & Q(applications__state__in=RECOMMENDER_STATES),
        ),
        scored=Count(
            "applications",
            distinct=True,
            filter=in_edition & Q(applications__state__in=RECOMMENDER_STATES) & scored_sheet,
        ),
        recommended=Count(
            "applications",
            distinct=True,
            filter=in_edition & Q(applications__recommendation_number__isnull=False),
        ),
        not_recommended=Count(
            "applications",
            distinct=True,
            filter=in_edition & Q(applications__state=ApplicationState.NOT_RECOMMENDED),
        ),
        # Back in draft after a submission, with the recommender's reason: returned.
        returned=Count(
            "applications",
            distinct=True,
            filter=in_edition
            & Q(applications__state=ApplicationState.DRAFT)
            & Q(applications__submitted_at__isnull=False)
            & ~Q(applications__state_reason=""),
        ),
    )
    batches = {
        batch.recommender_id: batch
        for batch in Batch.objects.filter(edition=edition).select_related("submitted_by")
    }
    return [
        BoardRow(
            recommender=recommender,
            received=recommender.received,
            scored=recommender.scored,
            recommended=recommender.recommended,
            not_recommended=recommender.not_recommended,
            returned=recommender.returned,
            batch=batches.get(recommender.pk),
        )
        for recommender in recommenders.order_by("sort_order", "name")
    ]


@dataclass(frozen=True)
class BoardTotals:
    received: int
    scored: int
    recommended: int
    not_recommended: int
    returned: int
    submitted_batches: int


def board_totals(rows: list[BoardRow]) -> BoardTotals:
    return BoardTotals(
        received=sum(row.received for row in rows),
        scored=sum(row.scored for row in rows),
        recommended=sum(row.recommended for row in rows),
        not_recommended=sum(row.not_recommended for row in rows),
        returned=sum(row.returned for row in rows),
        submitted_batches=sum(
            1 for row in rows if row.batch is not None and row.batch.state == BatchState.SUBMITTED
        ),
    )
