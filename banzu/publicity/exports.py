"""The results as Excel, from the sealed version the publicity shows, through the documents kernel
(one Document per sheet, banzu.documents.render.render_sheets_file).

The admin's workbook holds everything the version records: the ranked list, the teams listed
apart with their reasons, and every counted materials and presentation sheet with each item's
points, the expert's name and whether the trimmed mean dropped the sheet. A recommender's region
workbook holds the same lists restricted to the applications it recommended, with the experts
shown as 专家1, 专家2… per application (never their names or ids), and its teams' lines of the
commendation notice.

Every figure is written as a number (a Decimal, formatted with its decimals); text cells wrap.
The kernel's renderer gives each wrapped row its height, freezes the header row of each sheet and
prints it on every page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from banzu.accounts.models import Recommender, User
from banzu.applications.models import Application
from banzu.documents.model import Block, Cell, Document, Line, Para, Table, label, value
from banzu.documents.render import Rendered, render_sheets_file
from banzu.editions.models import RubricItem
from banzu.editions.selectors import presentation_sheet
from banzu.publicity.commendation import UNRANKED, published_awards
from banzu.publicity.models import Publicity
from banzu.publicity.notice import ASSOCIATION
from banzu.results.enums import ApartReason
from banzu.results.gather import MATERIALS, PRESENTATION
from banzu.scoring.core import aggregate_sheets

TWO = "0.00"
ONE = "0.0"

REASONS = {
    ApartReason.NOT_PRESENTED: "未参加现场发布",
    ApartReason.ELIMINATED: "形式审查未通过",
    ApartReason.DISQUALIFIED: "取消资格",
    ApartReason.NO_PRESENTATION_SCORE: "尚无发布得分",
    ApartReason.REVIEW_UNFINISHED: "材料评审未完成",
}


# --- Cells and rows ----------------------------------------------------------------------------


def _number(raw: str | int | Decimal | None, number_format: str = TWO) -> Cell:
    """A figure kept a number in Excel; a blank when the version records none."""
    if raw is None or raw == "":
        return value(None)
    figure = raw if isinstance(raw, int) else Decimal(str(raw))
    return value(figure, align="right", number_format=number_format)


def _table(columns: Sequence[tuple[str, float]], body: Sequence[tuple[Cell, ...]]) -> Table:
    widths = tuple(width for _name, width in columns)
    header = tuple(label(name) for name, _width in columns)
    return Table(
        widths=widths,
        rows=(header, *body),
        header_rows=1,
    )


# --- What a workbook shows ---------------------------------------------------------------------


@dataclass
class _Source:
    """The version's payload and what this workbook may show of it."""

    publicity: Publicity
    payload: dict[str, Any]
    keep: Callable[[int], bool]  # the applications shown
    expert: Callable[[int, int, int], tuple[Cell, ...]]  # (application, scorer, index) → cells
    expert_columns: tuple[tuple[str, float], ...]
    suffix: str  # after each sheet's title: whose region, or 公示稿

    @property
    def year(self) -> int:
        return self.publicity.edition.year

    def app(self, pk: int) -> dict[str, Any]:
        found: dict[str, Any] = self.payload.get("applications", {}).get(str(pk), {})
        return found

    def team_cells(self, pk: int, *, recommender: bool = True) -> tuple[Cell, ...]:
        app = self.app(pk)
        cells = [
            value(app.get("number") or ""),
            value(app.get("team", "")),
            value(app.get("enterprise", "")),
        ]
        if recommender:
            cells.append(value(app.get("recommender", "")))
        return tuple(cells)

    def rows(self) -> list[dict[str, Any]]:
        rows = self.payload.get("rows", [])
        ordered = sorted(rows, key=lambda row: (row["rank"], row["application"]))
        return [row for row in ordered if self.keep(int(row["application"]))]

    def apart(self) -> list[dict[str, Any]]:
        return [row for row in self.payload.get("apart", []) if self.keep(int(row["application"]))]

    def blocks(self, title: str, note: str = "") -> list[Block]:
        version = self.publicity.version
        found: list[Block] = [
            Para(self.title(title), "title", "center"),
            Line(ASSOCIATION, "", "结果版本：", f"第{version.number}版", underline=False),
            Para(f"SHA-256：{version.sha256}", "note"),
        ]
        if note:
            found.append(Para(note, "note"))
        return found

    def title(self, what: str) -> str:
        return f"{self.year}年度浙江省工程建设质量信得过班组{what}{self.suffix}"

    def document(self, title: str, sheet: str, table: Table, note: str = "") -> Document:
        return Document(
            title=self.title(title),
            blocks=(*self.blocks(title, note), table),
            landscape=True,
            sheet_name=sheet,
            author=ASSOCIATION,
            keywords=("评审结果", str(self.year)),
        )


def _ranked(source: _Source) -> Document:
    rules = source.payload.get("rules", {})
    weight = rules.get("materials_weight", 80)
    room_award = source.payload.get("settings", {}).get("room_award") or ""
    columns = (
        ("名次", 7),
        ("推荐编号", 14),
        ("班组名称", 22),
        ("单位名称", 30),
        ("推荐单位", 22),
        ("材料得分", 10),
        (f"材料折算分（{weight}%）", 12),
        ("发布得分", 10),
        ("总分", 10),
        ("获奖等级", 11),
        (room_award or "最佳发布奖", 12),
    )
    body = [
        (
            _number(int(row["rank"]), "0"),
            *source.team_cells(row["application"]),
            _number(row.get("materials_score")),
            _number(row.get("materials_share")),
            _number(row.get("presentation")),
            _number(row.get("total")),
            value(row.get("tier") or "", align="center"),
            value(room_award if row.get("room_award") else "", align="center"),
        )
        for row in source.rows()
    ]
    note = f"总分＝材料得分×{weight}%＋发布得分，由未经舍入的平均分精确计算后四舍五入保留两位小数。"
    return source.document("排名及获奖等级", "排名", _table(columns, body), note)


def _apart(source: _Source) -> Document:
    columns = (
        ("推荐编号", 14),
        ("班组名称", 22),
        ("单位名称", 30),
        ("推荐单位", 22),
        ("原因", 16),
        ("说明", 36),
        ("材料得分", 10),
        ("获奖等级", 11),
    )
    body = [
        (
            *source.team_cells(row["application"]),
            value(REASONS.get(row.get("reason", ""), row.get("reason", ""))),
            value(row.get("detail") or ""),
            _number(row.get("materials_score")),
            value(row.get("tier") or "", align="center"),
        )
        for row in source.apart()
    ]
    return source.document("未参加排名的班组", "未排名", _table(columns, body))


def _dropped(source: _Source, kind: str) -> dict[int, set[int]]:
    """The sheets the trimmed mean left out, by application: as each ranked row records them,
    recomputed by the same rule for the teams listed apart (their materials score)."""
    key = "materials_dropped" if kind == MATERIALS else "presentation_dropped"
    found = {int(row["application"]): set(row.get(key, [])) for row in source.payload["rows"]}
    rules = source.payload.get("rules", {})
    if kind == MATERIALS and "aggregation_rule" in rules:
        totals: dict[int, dict[int, Decimal]] = {}
        for sheet in source.payload.get("sheets", {}).get(MATERIALS, []):
            totals.setdefault(int(sheet["application"]), {})[int(sheet["id"])] = Decimal(
                sheet["total"]
            )
        for row in source.payload.get("apart", []):
            pk = int(row["application"])
            result = aggregate_sheets(
                totals.get(pk, {}), rule=rules["aggregation_rule"], trim_min=rules["trim_min"]
            )
            found[pk] = set(result.dropped)
    return found


def _items(source: _Source, kind: str) -> list[tuple[int, str]]:
    """The sheet's items as (the key a sheet record uses, the column's heading)."""
    edition = source.publicity.edition
    if kind == MATERIALS:
        return [
            (item.pk, f"{item.position}. {item.title}（{item.max_points.normalize():f}）")
            for item in RubricItem.objects.filter(edition=edition).order_by("position")
        ]
    return [
        (item.position, f"{item.position}. {item.title}（{item.max_points.normalize():f}）")
        for item in presentation_sheet(edition)
    ]


def _sheets(source: _Source, kind: str) -> Document:
    records = [
        sheet
        for sheet in source.payload.get("sheets", {}).get(kind, [])
        if source.keep(int(sheet["application"]))
    ]
    items = _items(source, kind)
    known = {key for key, _heading in items}
    extra = sorted({int(key) for sheet in records for key, _p in sheet["items"]} - known)
    items += [(key, f"评分项{key}") for key in extra]
    order = {int(row["application"]): index for index, row in enumerate(source.rows())}
    for row in source.apart():
        order.setdefault(int(row["application"]), len(order))
    records.sort(key=lambda sheet: (order.get(int(sheet["application"]), len(order)), sheet["id"]))
    dropped = _dropped(source, kind)
    columns = (
        ("序号", 7),
        ("推荐编号", 14),
        ("班组名称", 20),
        ("单位名称", 26),
        *source.expert_columns,
        *((heading, 11) for _key, heading in items),
        ("总分", 9),
        ("去掉", 7),
    )
    body: list[tuple[Cell, ...]] = []
    index: dict[int, int] = {}
    for number, sheet in enumerate(records, start=1):
        pk = int(sheet["application"])
        index[pk] = index.get(pk, 0) + 1
        points = {int(key): points for key, points in sheet["items"]}
        body.append(
            (
                _number(number, "0"),
                *source.team_cells(pk, recommender=False),
                *source.expert(pk, int(sheet["scorer"]), index[pk]),
                *(_number(points.get(key), ONE) for key, _heading in items),
                _number(sheet["total"], ONE),
                value("是" if int(sheet["id"]) in dropped.get(pk, set()) else "否", align="center"),
            )
        )
    if kind == MATERIALS:
        title, sheet_name = "材料评审评分表明细", "材料评分"
    else:
        title, sheet_name = "现场发布评分表明细", "发布评分"
    note = "计入的评分表；“去掉”为去掉一个最高分和一个最低分时未计入平均分的评分表。"
    return source.document(title, sheet_name, _table(columns, body), note)


def _notice_lines(source: _Source) -> Document:
    """This region's teams as the commendation notice lists them: the award and the team's
    number within it."""
    ranked = bool(source.payload.get("settings", {}).get("notice_ranked"))
    columns = (
        ("获奖等级", 12),
        ("通知中序号", 10),
        ("推荐编号", 14),
        ("班组名称", 22),
        ("单位名称", 30),
        ("经验名称", 36),
    )
    body = [
        (
            value(award.name, align="center"),
            _number(number, "0"),
            value(line.number),
            value(line.team),
            value(line.enterprise),
            value(line.experience),
        )
        for award in published_awards(source.publicity)
        for number, line in enumerate(award.lines, start=1)
        if source.keep(line.application)
    ]
    note = "" if ranked else f"表彰通知各奖项内{UNRANKED}。"
    return source.document("表彰名单", "表彰名单", _table(columns, body), note)


# --- The two workbooks -------------------------------------------------------------------------


def results_stem(publicity: Publicity) -> str:
    year = publicity.edition.year
    return f"评审结果_{year}" if publicity.published else f"评审结果_{year}_公示稿"


def results_file(publicity: Publicity) -> Rendered:
    """The admin's workbook of the version the publicity shows; before publication its title
    and file name say 公示稿 (the draft under publicity)."""
    payload = publicity.version.payload
    scorers = {
        int(sheet["scorer"])
        for kind in (MATERIALS, PRESENTATION)
        for sheet in payload.get("sheets", {}).get(kind, [])
    }
    names = {user.pk: user.display_name for user in User.objects.filter(pk__in=scorers).order_by()}

    def expert(_application: int, scorer: int, _index: int) -> tuple[Cell, ...]:
        return (value(names.get(scorer, "")), _number(scorer, "0"))

    source = _Source(
        publicity=publicity,
        payload=payload,
        keep=lambda _pk: True,
        expert=expert,
        expert_columns=(("评审专家", 12), ("专家编号", 9)),
        suffix="" if publicity.published else "（公示稿）",
    )
    documents = [
        _ranked(source),
        _apart(source),
        _sheets(source, MATERIALS),
        _sheets(source, PRESENTATION),
    ]
    return render_sheets_file(documents, results_stem(publicity))


def region_ids(publicity: Publicity, recommender: Recommender) -> set[int]:
    """The applications of the version that the recommender recommended (as the database
    records them: the scope never rests on a name in the payload)."""
    payload = publicity.version.payload
    listed = [int(pk) for pk in payload.get("applications", {})]
    return set(
        Application.objects.filter(pk__in=listed, recommender=recommender).values_list(
            "pk", flat=True
        )
    )


def region_stem(publicity: Publicity, recommender: Recommender) -> str:
    return f"评审结果_{publicity.edition.year}_{recommender.short_name or recommender.name}"


def region_file(publicity: Publicity, recommender: Recommender) -> Rendered:
    ids = region_ids(publicity, recommender)

    def expert(_application: int, _scorer: int, index: int) -> tuple[Cell, ...]:
        return (value(f"专家{index}", align="center"),)

    source = _Source(
        publicity=publicity,
        payload=publicity.version.payload,
        keep=lambda pk: pk in ids,
        expert=expert,
        expert_columns=(("专家", 8),),
        suffix=f"（{recommender.name}）",
    )
    documents = [
        _ranked(source),
        _apart(source),
        _sheets(source, MATERIALS),
        _sheets(source, PRESENTATION),
        _notice_lines(source),
    ]
    return render_sheets_file(documents, region_stem(publicity, recommender))
