"""Attachment 3 (评价表): the rubric, blank or filled for one score sheet, and its file.

The notice's five columns (序号, 评价项目, 评价内容, 分值, 得分) and a total row; a filled form adds
the application it scores above the table, the comments in a 评语 row under 总分 (which alone may
run on to a second page, see ITEM_COMMENT_FITS), and the scorer and date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from banzu.documents.model import (
    Cell,
    Document,
    Line,
    Para,
    Spacer,
    Table,
    blank,
    chinese_date,
    label,
    paragraphs,
    value,
)
from banzu.documents.render import Format, Rendered, render_file
from banzu.editions.models import Edition
from banzu.scoring.models import ScoreSheet

# Percent of the text width: 序号 and 评价项目 hold their headings whole; the criteria get the room.
WIDTHS = (7.0, 12.0, 64.0, 9.0, 8.0)
# The longest comments a filled form holds on one page with 75-character names (enterprise, team,
# experience), in Word and PDF: each item's and the overall comment, in characters. Longer ones
# run on: the 评语 row continues on page 2, the score rows stay together with 总分 on page 1.
ITEM_COMMENT_FITS = 150
OVERALL_COMMENT_FITS = 250


@dataclass(frozen=True)
class Item:
    position: int
    title: str
    criteria: str
    max_points: Decimal
    points: Decimal | None = None
    comment: str = ""


@dataclass(frozen=True)
class Filled:
    """What a filled form says beyond the rubric."""

    recommendation_number: str
    team_name: str
    enterprise_name: str
    experience_title: str
    scorer_name: str
    stage_name: str
    total: Decimal
    submitted_on: dt.date | None
    overall_comment: str = ""


def title(year: int) -> str:
    return f"{year} 年浙江省工程建设质量信得过班组建设成果评价表"


def _points(points: Decimal) -> str:
    return f"{blank(points)} 分"


def _score(points: Decimal | None) -> Cell:
    """A score with one decimal everywhere on the form (27.0 beside 13.5), a number in Excel."""
    if points is None:
        return value(None)
    return Cell(
        content=(Para(f"{points:.1f}", "body", "center"),),
        align="center",
        value=points,
        number_format="0.0",
    )


def _criteria(text: str) -> Cell:
    """The sub-criteria run on in one paragraph of fine print, as the notice prints them: the
    form stays one page."""
    lines = [para.text for para in paragraphs(text)]
    return Cell(content=(Para(" ".join(lines), "small", "justify"),) if lines else (), valign="top")


def _comments(items: Sequence[Item], filled: Filled) -> tuple[Para, ...]:
    """One paragraph of fine print per commented item, then the overall comment: the 评语 row
    under 总分, across all but the first column."""
    lines = [
        Para(f"{item.title}：{' '.join(p.text for p in paragraphs(item.comment))}", "small")
        for item in items
        if item.comment.strip()
    ]
    if filled.overall_comment.strip():
        overall = " ".join(p.text for p in paragraphs(filled.overall_comment))
        lines.append(Para(f"总体评价：{overall}", "small"))
    return tuple(lines)


def build(*, year: int, items: Sequence[Item], filled: Filled | None = None) -> Document:
    header = (label("序号"), label("评价项目"), label("评价内容"), label("分值"), label("得分"))
    rows: list[tuple[Cell, ...]] = [header]
    for item in items:
        rows.append(
            (
                value(item.position, align="center"),
                label(item.title),
                _criteria(item.criteria),
                value(_points(item.max_points), align="center"),
                _score(item.points if filled else None),
            )
        )
    maximum = sum((item.max_points for item in items), Decimal(0))
    rows.append(
        (
            label("总分", colspan=3),
            value(_points(maximum), align="center"),
            _score(filled.total if filled else None),
        )
    )
    comments = _comments(items, filled) if filled else ()
    if comments:
        rows.append((label("评语"), Cell(content=comments, colspan=4, valign="top")))
    blocks: list[Para | Line | Table | Spacer] = [
        Para("附件3", "label"),
        Para(title(year), "title", "center"),
    ]
    if filled:
        blocks += [
            Line("推荐编号：", filled.recommendation_number, "评审阶段：", filled.stage_name),
            Line("单位名称：", filled.enterprise_name),
            Line("班组名称：", filled.team_name),
            Line("经验名称：", filled.experience_title),
        ]
    blocks.append(
        Table(
            widths=WIDTHS,
            rows=tuple(rows),
            header_rows=1,
            rows_can_split=False,
            keep_together=True,
            run_on_rows=1 if comments else 0,
        )
    )
    if filled:
        blocks += [
            Spacer(4),
            Line(
                "评分人：",
                filled.scorer_name,
                "日期：",
                chinese_date(filled.submitted_on) if filled.submitted_on else "",
            ),
        ]
    else:
        blocks += [Spacer(6), Line("评分人：", "", "日期：", "")]
    return Document(
        title=title(year),
        blocks=tuple(blocks),
        keywords=("附件3", "评价表"),
        sheet_name="附件3",
    )


# --- The file -------------------------------------------------------------------------------

STAGE_NAMES = {"recommender": "推荐单位初评", "materials": "专家评审（申报材料）"}


def _items(edition: Edition) -> list[Item]:
    return [
        Item(
            position=item.position,
            title=item.title,
            criteria=item.criteria,
            max_points=item.max_points,
        )
        for item in edition.rubric_items.order_by("position")
    ]


def attachment3_blank_file(edition: Edition, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 3 is a form: Word or PDF")
    document = build(year=edition.year, items=_items(edition))
    return render_file(document, f"附件3_评价表_{edition.year}", fmt)


def attachment3_sheet_file(sheet: ScoreSheet, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 3 is a form: Word or PDF")
    application = sheet.application
    edition = application.edition
    scores = {score.rubric_item_id: score for score in sheet.items.all()}
    items = []
    for item in edition.rubric_items.order_by("position"):
        score = scores.get(item.pk)
        items.append(
            Item(
                position=item.position,
                title=item.title,
                criteria=item.criteria,
                max_points=item.max_points,
                points=score.points if score else None,
                comment=score.comment if score else "",
            )
        )
    scorer = sheet.scorer
    submitted = timezone.localdate(sheet.submitted_at) if sheet.submitted_at else None
    filled = Filled(
        recommendation_number=application.recommendation_number or "",
        team_name=application.team.name,
        enterprise_name=application.team.enterprise.name,
        experience_title=application.experience_title,
        scorer_name=getattr(scorer, "full_name", "") or scorer.get_username(),
        stage_name=STAGE_NAMES.get(sheet.stage, sheet.stage),
        total=sheet.total,
        submitted_on=submitted,
        overall_comment=sheet.overall_comment,
    )
    document = build(year=edition.year, items=items, filled=filled)
    stem = f"附件3_评价表_{application.team.name}_{filled.scorer_name}"
    return render_file(document, stem, fmt)
