"""Attachment 2 (推荐汇总表): a recommender's recommended applications, ranked, with the columns
domain.md fixes: its rows, its layout (landscape; the header row repeats on every page) and its
file in each format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Prefetch
from django.utils import timezone

from banzu.accounts.models import Recommender
from banzu.documents.model import (
    Cell,
    Document,
    Line,
    Para,
    Table,
    chinese_date,
    label,
    value,
)
from banzu.documents.render import Format, Rendered, render_file
from banzu.editions.models import Edition
from banzu.recommendations.selectors import applications_for_recommender
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


# --- The layout ---------------------------------------------------------------------------

# Relative widths (Excel's character widths; 1.64 mm each on the landscape page): every column
# holds its heading whole at 10.5 pt ("序号", never "序/号"; "推荐单位评分" on one line).
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 7.5),
    ("推荐编号", 15.5),
    ("单位名称", 26),
    ("班组名称", 17),
    ("经验名称", 25.5),
    ("班组人数", 12),
    ("联系人", 11),
    ("联系电话", 18.5),
    ("推荐单位评分", 16.5),
    ("备注", 13.5),
)


SCORE_COLUMN = 8


def _score(raw: object) -> Cell:
    """The preliminary score with its two decimals on paper, a number in Excel."""
    if not isinstance(raw, Decimal):
        return value(raw, align="center")
    return Cell(
        content=(Para(f"{raw:.2f}", "body", "center"),),
        align="center",
        value=raw,
        number_format="0.00",
    )


class Row(Protocol):
    def cells(self) -> list[Any]: ...


def title(year: int) -> str:
    return f"{year} 年度浙江省工程建设质量信得过班组典型经验推荐汇总表"


def filename_stem(year: int, recommender_short_name: str) -> str:
    return f"附件2_推荐汇总表_{year}_{recommender_short_name}"


def build(*, year: int, recommender_name: str, rows: Sequence[Row], today: dt.date) -> Document:
    header = tuple(label(name) for name, _width in COLUMNS)
    body: list[tuple[Cell, ...]] = []
    for row in rows:
        cells = row.cells()
        body.append(
            tuple(
                _score(raw)
                if index == SCORE_COLUMN
                else value(raw, align="center" if index in (0, 1, 5) else "left")
                for index, raw in enumerate(cells)
            )
        )
    return Document(
        title=title(year),
        blocks=(
            Para("附件2", "label"),
            Para(title(year), "title", "center"),
            Line(
                "推荐单位（盖章）：",
                recommender_name,
                "填报日期：",
                chinese_date(today),
                underline=False,
            ),
            Table(
                widths=tuple(float(width) for _name, width in COLUMNS),
                rows=(header, *body),
                header_rows=1,
                rows_can_split=False,
            ),
        ),
        landscape=True,
        author=recommender_name,
        keywords=("附件2", "推荐汇总表"),
        sheet_name="附件2",
    )


# --- The file -------------------------------------------------------------------------------


def attachment2_document(recommender: Recommender, edition: Edition, *, today: dt.date) -> Document:
    return build(
        year=edition.year,
        recommender_name=recommender.name,
        rows=attachment2_rows(recommender, edition),
        today=today,
    )


def attachment2_file(
    recommender: Recommender, edition: Edition, fmt: Format, *, today: dt.date | None = None
) -> Rendered:
    document = attachment2_document(recommender, edition, today=today or timezone.localdate())
    return render_file(document, filename_stem(edition.year, recommender.short_name), fmt)
