"""The paper fallback: a room's blank presentation sheets, one page per team in the order it
presents, for the panel to fill in by hand when the phones cannot be used.

Each page names the room, the team's position, its enterprise, team and experience title, then
the edition's presentation sheet (items, their texts and maxima, a blank for each score, the
total) and the lines for the expert's signature and the date. The admin types a filled sheet in
after the event, with its scan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from banzu.documents.model import (
    Block,
    Cell,
    Document,
    Line,
    PageBreak,
    Para,
    Spacer,
    Table,
    blank,
    label,
    paragraphs,
    value,
)
from banzu.documents.render import Rendered, render_file
from banzu.editions.selectors import SheetItem, presentation_sheet
from banzu.presentations import selectors
from banzu.presentations.models import Room

# Percent of the text width. 评分项目 holds a title of TITLE_FITS characters whole at 10.5 pt
# (内容与典型经验, 时间控制与答辩); a longer title, which the admin may set, wraps in its cell.
WIDTHS = (7.0, 20.0, 51.0, 10.0, 12.0)
TITLE_FITS = 8


@dataclass(frozen=True)
class Team:
    number: int  # in the order the room presents
    recommendation_number: str
    enterprise: str
    team: str
    title: str


def title(year: int) -> str:
    return f"{year} 年浙江省工程建设质量信得过班组发布会现场评分表"


def _points(points: Decimal) -> str:
    return f"{blank(points)} 分"


def _sheet(items: Sequence[SheetItem]) -> Table:
    rows: list[tuple[Cell, ...]] = [
        (label("序号"), label("评分项目"), label("评分内容"), label("分值"), label("得分"))
    ]
    for item in items:
        rows.append(
            (
                value(item.position, align="center"),
                Cell(
                    content=(
                        Para(item.title, "label", "center", whole=len(item.title) <= TITLE_FITS),
                    ),
                    align="center",
                ),
                Cell(content=paragraphs(item.text), valign="top"),
                value(_points(item.max_points), align="center"),
                Cell(min_height_mm=12),
            )
        )
    maximum = sum((item.max_points for item in items), Decimal(0))
    rows.append(
        (
            Cell(content=(Para("合计", "label", "center"),), colspan=3, align="center"),
            value(_points(maximum), align="center"),
            Cell(min_height_mm=12),
        )
    )
    return Table(widths=WIDTHS, rows=tuple(rows), header_rows=1, rows_can_split=False)


def build(
    *, year: int, room_name: str, items: Sequence[SheetItem], teams: Sequence[Team]
) -> Document:
    blocks: list[Block] = []
    for index, team in enumerate(teams):
        if index:
            blocks.append(PageBreak())
        blocks += [
            Para(title(year), "title", "center"),
            Line("分会场：", room_name, "发布顺序：", f"第 {team.number} 位"),
            Line("推荐编号：", team.recommendation_number),
            Line("单位名称：", team.enterprise),
            Line("班组名称：", team.team),
            Line("经验名称：", team.title),
            Spacer(2),
            _sheet(items),
            Spacer(4),
            Table(
                widths=(20.0, 80.0),
                rows=((label("评语"), Cell(min_height_mm=30, valign="top")),),
            ),
            Spacer(8),
            Line("评委签名：", "", "日期：", ""),
        ]
    if not teams:
        blocks.append(Para(title(year), "title", "center"))
        blocks.append(Line("分会场：", room_name))
    return Document(
        title=f"{title(year)} {room_name}",
        blocks=tuple(blocks),
        keywords=("发布会", "评分表", room_name),
        sheet_name="评分表",
    )


def teams_of(room: Room) -> list[Team]:
    """The room's presenting teams in the order they present (the drawn order, then the
    console's moves), numbered from 1."""
    teams = []
    for number, slot in enumerate(selectors.room_order(room), start=1):
        application = slot.application
        teams.append(
            Team(
                number=number,
                recommendation_number=application.recommendation_number or "",
                enterprise=application.team.enterprise.name,
                team=application.team.name,
                title=application.experience_title,
            )
        )
    return teams


def blank_sheets(room: Room) -> Rendered:
    edition = room.event.edition
    document = build(
        year=edition.year,
        room_name=room.name,
        items=presentation_sheet(edition),
        teams=teams_of(room),
    )
    return render_file(document, f"{title(edition.year)}_{room.name}", "pdf")
