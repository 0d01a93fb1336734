"""Attachment 2 (推荐汇总表): a recommender's recommended applications, ranked, with the columns
domain.md fixes. Landscape; the header row repeats on every page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from banzu.documents.model import Cell, Document, Line, Para, Table, label, value

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("推荐编号", 16),
    ("单位名称", 30),
    ("班组名称", 18),
    ("经验名称", 34),
    ("班组人数", 9),
    ("联系人", 10),
    ("联系电话", 17),
    ("推荐单位评分", 12),
    ("备注", 14),
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
            Para(title(year), "title", "center"),
            Line(
                "推荐单位（盖章）：",
                recommender_name,
                "填报日期：",
                f"{today:%Y-%m-%d}",
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
