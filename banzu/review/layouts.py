"""The expert review's results as a document (Excel through banzu.documents' renderers).

The Excel renderer writes one sheet with exactly one table, so the four parts — the ranked
results, every counted sheet with its item points, the experts' leniency and the ICC — are
sections of one table, each under a heading row that spans it. Like the other official
documents it is written in Chinese.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from banzu.documents.model import Cell, Document, Line, Para, Table, blank, label, value
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


def _padded(cells: list[Cell], columns: int) -> tuple[Cell, ...]:
    """The row filled out to the table's width with one empty cell."""
    used = sum(cell.colspan for cell in cells)
    if used < columns:
        cells.append(Cell(colspan=columns - used))
    return tuple(cells)


def _heading(text: str, columns: int) -> tuple[Cell, ...]:
    return (label(text, colspan=columns, align="left"),)


def _number(raw: Decimal | int | None, number_format: str | None = None) -> Cell:
    return value(raw, align="right", number_format=number_format)


def results_document(results: EditionResults, *, today: dt.date) -> Document:
    edition = results.edition
    rubric = results.rubric
    # Columns: number · recommendation number · team · enterprise or expert · one per rubric
    # item · total · dropped · overall comment · submitted. The ranked rows need eleven.
    columns = max(4 + len(rubric) + 4, 11)
    k = results.settings.experts_per_application
    weight = edition.materials_weight
    rows: list[tuple[Cell, ...]] = []

    rows.append(_heading("一、材料评审得分排名", columns))
    rows.append(
        _padded(
            [
                label(text)
                for text in (
                    "排名",
                    "推荐编号",
                    "班组名称",
                    "单位名称",
                    "有效评审表",
                    "应评专家数",
                    "材料得分（满分100）",
                    f"折算得分（满分{weight}）",
                    "标准差",
                    "极差",
                    "离散超限",
                )
            ],
            columns,
        )
    )
    for row in results.rows:
        application = row.application
        rows.append(
            _padded(
                [
                    _number(row.rank),
                    value(application.recommendation_number or ""),
                    value(application.team.name),
                    value(application.team.enterprise.name),
                    _number(len(row.sheets)),
                    _number(k),
                    _number(row.score, TWO),
                    _number(row.weighted, TWO),
                    _number(_figure(row.spread.sd, 2) if row.spread else None, TWO),
                    _number(row.spread.range if row.spread else None, "0.0"),
                    value(_yes(row.flagged) if row.spread else "", align="center"),
                ],
                columns,
            )
        )

    rows.append(_heading("二、专家评审表明细（计入的评审表）", columns))
    rows.append(
        _padded(
            [
                label("序号"),
                label("推荐编号"),
                label("班组名称"),
                label("评审专家"),
                *(
                    label(f"{item.position}. {item.title}（{blank(item.max_points)}）")
                    for item in rubric
                ),
                label("总分"),
                label("去掉"),
                label("总体评价"),
                label("提交时间"),
            ],
            columns,
        )
    )
    number = 0
    for row in results.rows:
        application = row.application
        for sheet in row.sheets:
            number += 1
            submitted = sheet.sheet.submitted_at
            rows.append(
                _padded(
                    [
                        _number(number),
                        value(application.recommendation_number or ""),
                        value(application.team.name),
                        value(sheet.expert.display_name),
                        *(_number(sheet.items.get(item.pk), "0.0") for item in rubric),
                        _number(sheet.total, "0.0"),
                        value(_yes(sheet.dropped), align="center"),
                        value(sheet.sheet.overall_comment),
                        value(
                            f"{timezone.localtime(submitted):%Y-%m-%d %H:%M}" if submitted else ""
                        ),
                    ],
                    columns,
                )
            )

    rows.append(_heading("三、专家宽严度（与同一申报其他专家平均分之差）", columns))
    rows.append(
        _padded(
            [
                label("序号"),
                label("评审专家", colspan=2),
                label("比较的申报数"),
                label("平均偏差"),
            ],
            columns,
        )
    )
    for position, lenient in enumerate(results.leniency, start=1):
        rows.append(
            _padded(
                [
                    _number(position),
                    value(lenient.expert.display_name, colspan=2),
                    _number(lenient.n),
                    _number(
                        None
                        if lenient.mean_deviation is None
                        else _figure(lenient.mean_deviation, 2),
                        TWO,
                    ),
                ],
                columns,
            )
        )

    rows.append(
        _heading("四、评分一致性：组内相关系数（单向随机效应，Shrout & Fleiss 1979）", columns)
    )
    icc = results.icc
    if icc is None:
        rows.append(
            _padded(
                [value("数据不足：至少需要两项各有两份以上评审表且平均分不同的申报。", colspan=5)],
                columns,
            )
        )
    else:
        figures: list[tuple[str, Decimal | int, str, str]] = [
            ("ICC(1,1) 单个专家", _figure(icc.single, 4), FOUR, icc_band(icc.single)),
            (
                "ICC(1,k) 专家平均分",
                _figure(icc.average, 4),
                FOUR,
                icc_band(icc.average),
            ),
            ("k0 调整后的每项申报评分数", _figure(icc.k0, 4), FOUR, ""),
            ("BMS 申报间均方", _figure(icc.bms, 4), FOUR, ""),
            ("WMS 申报内均方", _figure(icc.wms, 4), FOUR, ""),
            ("参与计算的申报数", icc.applications, "0", ""),
            ("参与计算的评审表数", icc.ratings, "0", ""),
        ]
        for name, figure, number_format, band in figures:
            rows.append(
                _padded(
                    [
                        label(name, colspan=4, align="left"),
                        _number(figure, number_format),
                        value(BANDS[band] if band else ""),
                    ],
                    columns,
                )
            )
        rows.append(
            _padded(
                [
                    value(
                        "ICC(1,1) = (BMS − WMS) / (BMS + (k0 − 1) × WMS)；"
                        "ICC(1,k) = (BMS − WMS) / BMS；k0 = (N − Σnᵢ²/N) / (n − 1)。"
                        "解读（Koo & Li 2016）：0.5 以下较差，0.5–0.75 中等，"
                        "0.75–0.9 良好，0.9 以上优秀。",
                        colspan=columns,
                    )
                ],
                columns,
            )
        )

    trimmed = edition.aggregation_rule == Rule.TRIMMED_MEAN
    rule = (
        f"材料得分为计入的专家评审表总分的平均值；{edition.trim_min_experts} 位及以上专家评分时"
        "去掉一个最高分和一个最低分。"
        if trimmed
        else "材料得分为计入的专家评审表总分的平均值。"
    )
    title = f"{edition.year} 年度质量信得过班组专家评审结果"
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Line("浙江省工程建设质量管理协会", "", "日期：", f"{today:%Y-%m-%d}", underline=False),
            Para(
                f"{rule}折算得分 = 材料得分 × {weight}/100，由未舍入的平均分计算，"
                "最后四舍五入保留两位小数。离散超限：专家总分的标准差大于 "
                f"{results.settings.spread_flag}。",
                "note",
            ),
            Table(
                widths=(
                    8.0,
                    16,
                    20,
                    24,
                    *(11.0 for _item in rubric),
                    9,
                    7,
                    40,
                    17,
                    *(10.0 for _extra in range(columns - (4 + len(rubric) + 4))),
                ),
                rows=tuple(rows),
            ),
        ),
        landscape=True,
        sheet_name="专家评审结果",
    )
