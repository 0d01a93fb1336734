"""The screening's documents through banzu.documents' renderers: the summary (Excel) and an
application's similarity report (Excel and PDF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone, translation

from banzu.applications.models import Application
from banzu.documents.model import Cell, Document, Line, Para, Table, label, value
from banzu.editions.models import Edition
from banzu.screening.enums import EliminationReason
from banzu.screening.models import SimilarityReport
from banzu.screening.provenance import Dates
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


MUTUAL = "相互重复，无法判断先后"


def _moment(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "—"


def _written(dates: Dates) -> str:
    """An archive document's year; an application's submission time."""
    if dates.year:
        return f"{dates.year}年度"
    return _moment(dates.submitted_at)


def report_document(
    application: Application,
    report: SimilarityReport,
    figures: dict[str, str],
    sources: list[dict[str, Any]],
    *,
    dates: Dates,
    today: dt.date,
) -> Document:
    """One application's similarity report as the admin files it with the decision: who, the
    figures, then each source with its share and when it was written (Excel: the sources'
    table; PDF: all of it). A source of this edition overlaps, which came first unknown."""
    title = f"{application.edition.year} 年度质量信得过班组申报材料查重报告"
    team = application.team
    recommender = application.recommender.name if application.recommender else ""
    facts = (
        ("推荐编号", application.recommendation_number or ""),
        ("班组名称", team.name),
        ("单位名称", team.enterprise.name),
        ("推荐单位", recommender),
        ("经验名称", application.experience_title),
        ("总文字复制比", figures["copy_ratio"]),
        ("单篇最大文字复制比", figures["max_source_ratio"]),
        ("本人文献复制比", figures["self_ratio"]),
        ("去除本人文献复制比", figures["copy_ratio_excluding_self"]),
        ("总字数", str(report.chars)),
        ("复制字数", str(report.copied_chars)),
        ("公共文本字数", str(report.common_chars)),
        ("提交时间", _moment(dates.submitted_at)),
        ("材料上传时间", _moment(dates.uploaded_at)),
        ("查重时间", _moment(report.scanned_at)),
    )
    header = tuple(
        label(text)
        for text in (
            "序号",
            "相似文献",
            "来源类别",
            "提交时间或年度",
            "先后",
            "同一单位",
            "重复字数",
            "复制比",
            "片段",
        )
    )
    body: tuple[tuple[Cell, ...], ...] = tuple(
        (
            value(number, align="center"),
            value(str(source.get("label", ""))),
            value("往届材料库" if source.get("kind") == "archive" else "本年度", align="center"),
            value(_written(source["dates"]), align="center"),
            value(MUTUAL if source.get("mutual") else "往届在先", align="center"),
            value("是" if source.get("same_owner") else "否", align="center"),
            value(int(source.get("copied_chars") or 0), align="center"),
            value(str(source["ratio_display"]), align="center"),
            value(int(source["passage_count"]), align="center"),
        )
        for number, source in enumerate(sources, start=1)
    )
    if not body:
        body = ((value("未发现来源。", colspan=9),),)
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Line("浙江省工程建设质量管理协会", "", "日期：", f"{today:%Y-%m-%d}", underline=False),
            *(Line(f"{name}：", text, underline=False) for name, text in facts),
            Table(
                widths=(7.0, 40, 13, 19, 24, 11, 11, 10, 7),
                rows=(header, *body),
                header_rows=1,
            ),
        ),
        # Nine columns: the times and the mutual mark need the width of a landscape page.
        landscape=True,
        sheet_name="相似度报告",
    )
