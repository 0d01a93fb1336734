"""The screening summary as a document (Excel through banzu.documents' renderers)."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from banzu.documents.model import Cell, Document, Line, Para, Table, label, value
from banzu.editions.models import Edition
from banzu.screening.enums import EliminationReason
from banzu.screening.selectors import SummaryRow


def summary_document(
    edition: Edition, rows: list[SummaryRow], totals: dict[str, int], *, today: dt.date
) -> Document:
    with translation.override("zh-hans"):
        reasons = [(code, str(name)) for code, name in EliminationReason.choices]
        header = tuple(
            label(text)
            for text in (
                "推荐单位",
                "推荐数",
                "通过",
                "淘汰",
                "取消资格",
                "待审",
                *(n for _c, n in reasons),
            )
        )
    body: list[tuple[Cell, ...]] = []
    for row in rows:
        body.append(
            (
                value(row.recommender.name),
                value(row.total, align="center"),
                value(row.passed, align="center"),
                value(row.eliminated, align="center"),
                value(row.disqualified, align="center"),
                value(row.pending, align="center"),
                *(value(row.by_reason[code], align="center") for code, _n in reasons),
            )
        )
    body.append(
        (
            label("合计"),
            value(sum(r.total for r in rows), align="center"),
            value(sum(r.passed for r in rows), align="center"),
            value(sum(r.eliminated for r in rows), align="center"),
            value(sum(r.disqualified for r in rows), align="center"),
            value(sum(r.pending for r in rows), align="center"),
            *(value(totals[code], align="center") for code, _n in reasons),
        )
    )
    title = f"{edition.year} 年度质量信得过班组形式审查汇总表"
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Line("浙江省工程建设质量管理协会", "", "日期：", f"{today:%Y-%m-%d}", underline=False),
            Table(
                widths=(24.0, 8, 8, 8, 9, 8, *(10.0 for _r in reasons)),
                rows=(header, *body),
                header_rows=1,
            ),
        ),
        landscape=True,
        sheet_name="形式审查汇总",
    )
