"""The recommender stage's tables: Attachment 2 (推荐汇总表) on screen and as Word, PDF and Excel
(its rows and layout in attachment2.py), and the board.

Attachment 2's title and column names are the form's own, fixed by domain.md, so the file reads
the same whatever language the person downloading it uses; the page translates its headers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q

from banzu.accounts.models import Recommender, User
from banzu.applications.enums import ApplicationState
from banzu.audit import actions
from banzu.audit.services import record
from banzu.documents.render import Format
from banzu.editions.models import Edition
from banzu.recommendations import attachment2
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.recommendations.selectors import RECOMMENDER_STATES
from banzu.scoring.enums import SheetStage, SheetState

actions.register("export.attachment2")


def attachment2_title(edition: Edition) -> str:
    return attachment2.title(edition.year)


def export_attachment2(
    *,
    recommender: Recommender,
    edition: Edition,
    user: User,
    fmt: Format = "xlsx",
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[str, bytes]:
    """Attachment 2 as .docx, .pdf or .xlsx (name, bytes); the download is in the journal."""
    rendered = attachment2.attachment2_file(recommender, edition, fmt, today=today)
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
