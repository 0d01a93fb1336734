"""The recommender stage's tables: Attachment 2 (推荐汇总表) on screen and as Excel, and the board.

Attachment 2's title and column names are the form's own, fixed by domain.md, so the file reads
the same whatever language the person downloading it uses; the page translates its headers.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState
from banzu.audit.services import record
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.recommendations.selectors import RECOMMENDER_STATES, applications_for_recommender
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (column name on the form, width in characters)
ATTACHMENT2_COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("推荐编号", 14),
    ("单位名称", 30),
    ("班组名称", 18),
    ("经验名称", 36),
    ("班组人数", 9),
    ("联系人", 10),
    ("联系电话", 16),
    ("推荐单位评分", 12),
    ("备注", 16),
)


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
    return f"《{edition.year} 年度浙江省工程建设质量信得过班组典型经验推荐汇总表》"


def attachment2_filename(recommender: Recommender, edition: Edition) -> str:
    return f"附件2-推荐汇总表-{edition.year}-{recommender.short_name}.xlsx"


def attachment2_workbook(
    recommender: Recommender, edition: Edition, rows: list[Attachment2Row], *, today: dt.date
) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "附件2"
    last = get_column_letter(len(ATTACHMENT2_COLUMNS))
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")

    sheet["A1"] = attachment2_title(edition)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet.row_dimensions[1].height = 30
    sheet["A2"] = f"推荐单位（盖章）：{recommender.name}"
    sheet.merge_cells("A2:E2")
    sheet["F2"] = f"填报日期：{today:%Y-%m-%d}"
    sheet.merge_cells(f"F2:{last}2")
    sheet["F2"].alignment = Alignment(horizontal="right")

    for column, (name, width) in enumerate(ATTACHMENT2_COLUMNS, start=1):
        cell = sheet.cell(row=3, column=column, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = box
        sheet.column_dimensions[get_column_letter(column)].width = width
    for offset, row in enumerate(rows):
        for column, value in enumerate(row.cells(), start=1):
            cell = sheet.cell(row=4 + offset, column=column, value=value)
            cell.alignment = wrap
            cell.border = box
        sheet.cell(row=4 + offset, column=9).number_format = "0.00"

    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    return workbook


def export_attachment2(
    *,
    recommender: Recommender,
    edition: Edition,
    user: Any,
    ip: str | None = None,
    today: dt.date | None = None,
) -> tuple[str, bytes]:
    """Attachment 2 as an .xlsx file (name, bytes); the download is recorded in the journal."""
    rows = attachment2_rows(recommender, edition)
    workbook = attachment2_workbook(recommender, edition, rows, today=today or timezone.localdate())
    buffer = io.BytesIO()
    workbook.save(buffer)
    record(
        action="export.attachment2",
        actor=user,
        target=recommender,
        data={"edition": edition.year, "rows": len(rows)},
        ip=ip,
    )
    return attachment2_filename(recommender, edition), buffer.getvalue()


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
