"""The expert review's results as documents (Excel through banzu.documents' renderers).

One workbook, one table per sheet, so that each sheet has its own columns, a frozen header and a
header row printed on every page: the ranked results, every counted sheet with its item points,
the experts' leniency and the ICC. Like the other official documents it is written in Chinese.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from banzu.documents.model import (
    ASSOCIATION,
    Cell,
    Document,
    Line,
    Para,
    Table,
    blank,
    chinese_date,
    label,
    value,
)
from banzu.review.results import EditionResults, icc_band
from banzu.scoring.core import Rule

TWO = "0.00"
FOUR = "0.0000"
BANDS = {"poor": "较差", "moderate": "中等", "good": "良好", "excellent": "优秀"}


def _figure(number: float, places: int) -> Decimal:
    """A float diagnostic as a Decimal Excel keeps as a number, rounded half up as the page's
    floatformat shows it."""
    return Decimal(repr(number)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _number(raw: Decimal | int | None, number_format: str | None = None) -> Cell:
    return value(raw, align="right", number_format=number_format)


def _header(name: str) -> Cell:
    """A column's heading; a line break parts its terms ("材料得分" over "（满分100）"), so that
    neither is broken inside."""
    return Cell(
        content=tuple(Para(term, "label", "center") for term in name.split("\n")), align="center"
    )


def _sheet(
    results: EditionResults,
    *,
    today: dt.date,
    heading: str,
    sheet_name: str,
    columns: tuple[tuple[str, float], ...],
    body: Sequence[tuple[Cell, ...]],
    notes: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
    landscape: bool = True,
) -> Document:
    """One sheet: the title, who and when, the section's heading and notes, then its table with
    one header row."""
    title = f"{results.edition.year} 年度质量信得过班组专家评审结果"
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Line(ASSOCIATION, "", "日期：", chinese_date(today), underline=False),
            Para(heading, "heading"),
            *(Para(note, "note") for note in notes),
            Table(
                widths=tuple(width for _name, width in columns),
                rows=(tuple(_header(name) for name, _width in columns), *body),
                header_rows=1,
            ),
            *(Para(note, "note") for note in after),
        ),
        landscape=landscape,
        sheet_name=sheet_name,
        author=ASSOCIATION,
    )


def _ranking(results: EditionResults, *, today: dt.date) -> Document:
    edition = results.edition
    k = results.settings.experts_per_application
    weight = edition.materials_weight
    body = [
        (
            _number(row.rank),
            value(row.application.recommendation_number or ""),
            value(row.application.team.name),
            value(row.application.team.enterprise.name),
            _number(len(row.sheets)),
            _number(k),
            _number(row.score, TWO),
            _number(row.weighted, TWO),
            _number(_figure(row.spread.sd, 2) if row.spread else None, TWO),
            _number(row.spread.range if row.spread else None, "0.0"),
            value(_yes(row.flagged) if row.spread else "", align="center"),
        )
        for row in results.rows
    ]
    rule = (
        f"材料得分为计入的专家评审表总分的平均值；{edition.trim_min_experts} 位及以上专家评分时"
        "去掉一个最高分和一个最低分。"
        if edition.aggregation_rule == Rule.TRIMMED_MEAN
        else "材料得分为计入的专家评审表总分的平均值。"
    )
    return _sheet(
        results,
        today=today,
        heading="一、材料评审得分排名",
        sheet_name="得分排名",
        columns=(
            ("排名", 6),
            ("推荐编号", 14),
            ("班组名称", 24),
            ("单位名称", 30),
            ("有效评审表", 11),
            ("应评专家数", 11),
            ("材料得分\n（满分100）", 12),
            (f"折算得分\n（满分{weight}）", 12),
            ("标准差", 8),
            ("极差", 7),
            ("离散超限", 10),
        ),
        body=body,
        notes=(
            f"{rule}折算得分 = 材料得分 × {weight}/100，由未舍入的平均分计算，"
            "最后四舍五入保留两位小数。离散超限：专家总分的标准差大于 "
            f"{results.settings.spread_flag}。",
        ),
    )


def _sheets(results: EditionResults, *, today: dt.date) -> Document:
    rubric = results.rubric
    body: list[tuple[Cell, ...]] = []
    for row in results.rows:
        application = row.application
        for sheet in row.sheets:
            submitted = sheet.sheet.submitted_at
            body.append(
                (
                    _number(len(body) + 1),
                    value(application.recommendation_number or ""),
                    value(application.team.name),
                    value(sheet.expert.display_name),
                    *(_number(sheet.items.get(item.pk), "0.0") for item in rubric),
                    _number(sheet.total, "0.0"),
                    value(_yes(sheet.dropped), align="center"),
                    value(sheet.sheet.overall_comment),
                    value(f"{timezone.localtime(submitted):%Y-%m-%d %H:%M}" if submitted else ""),
                )
            )
    return _sheet(
        results,
        today=today,
        heading="二、专家评审表明细（计入的评审表）",
        sheet_name="评审表明细",
        columns=(
            ("序号", 6),
            ("推荐编号", 14),
            ("班组名称", 22),
            ("评审专家", 12),
            *(
                (f"{item.position}. {item.title}\n（{blank(item.max_points)}）", 11)
                for item in rubric
            ),
            ("总分", 8),
            ("去掉", 6),
            ("总体评价", 44),
            ("提交时间", 17),
        ),
        body=body,
        notes=("“去掉”为去掉一个最高分和一个最低分时未计入平均值的评审表。",),
    )


def _leniency(results: EditionResults, *, today: dt.date) -> Document:
    body = [
        (
            _number(position),
            value(lenient.expert.display_name),
            _number(lenient.n),
            _number(
                None if lenient.mean_deviation is None else _figure(lenient.mean_deviation, 2),
                TWO,
            ),
        )
        for position, lenient in enumerate(results.leniency, start=1)
    ]
    return _sheet(
        results,
        today=today,
        heading="三、专家宽严度（与同一申报其他专家平均分之差）",
        sheet_name="专家宽严度",
        columns=(("序号", 6), ("评审专家", 24), ("比较的申报数", 14), ("平均偏差", 12)),
        body=body,
        notes=("平均偏差为正：该专家的评分高于同一申报其他专家的平均分（偏宽）；为负则偏严。",),
        landscape=False,
    )


def _agreement(results: EditionResults, *, today: dt.date) -> Document:
    icc = results.icc
    body: list[tuple[Cell, ...]]
    if icc is None:
        body = [(value("数据不足：至少需要两项各有两份以上评审表且平均分不同的申报。", colspan=3),)]
    else:
        figures: list[tuple[str, Decimal | int, str, str]] = [
            ("ICC(1,1) 单个专家", _figure(icc.single, 4), FOUR, icc_band(icc.single)),
            ("ICC(1,k) 专家平均分", _figure(icc.average, 4), FOUR, icc_band(icc.average)),
            ("k0 调整后的每项申报评分数", _figure(icc.k0, 4), FOUR, ""),
            ("BMS 申报间均方", _figure(icc.bms, 4), FOUR, ""),
            ("WMS 申报内均方", _figure(icc.wms, 4), FOUR, ""),
            ("参与计算的申报数", icc.applications, "0", ""),
            ("参与计算的评审表数", icc.ratings, "0", ""),
        ]
        body = [
            (
                label(name, align="left"),
                _number(figure, number_format),
                value(BANDS[band] if band else "", align="center"),
            )
            for name, figure, number_format, band in figures
        ]
    return _sheet(
        results,
        today=today,
        heading="四、评分一致性：组内相关系数（单向随机效应，Shrout & Fleiss 1979）",
        sheet_name="评分一致性",
        columns=(("指标", 30), ("数值", 12), ("解读", 10)),
        body=body,
        after=(
            "ICC(1,1) = (BMS − WMS) / (BMS + (k0 − 1) × WMS)；ICC(1,k) = (BMS − WMS) / BMS；"
            "k0 = (N − Σnᵢ²/N) / (n − 1)。",
            "解读（Koo & Li 2016）：0.5 以下较差，0.5–0.75 中等，0.75–0.9 良好，0.9 以上优秀。",
        ),
        landscape=False,
    )


def results_documents(results: EditionResults, *, today: dt.date) -> list[Document]:
    """The workbook's four sheets, in reading order."""
    return [
        _ranking(results, today=today),
        _sheets(results, today=today),
        _leniency(results, today=today),
        _agreement(results, today=today),
    ]
