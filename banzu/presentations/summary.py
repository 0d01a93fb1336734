"""Documents of the event's outcome, through banzu.documents' renderers: each room's score
summary (现场发布评分汇总表) for the chair and the panel to sign, in PDF and Excel, and the
admin's Excel of every counted sheet's item points.

The summary's table is teams × panel members: each member's sheet total for each team, 回避
where the member is recused, 缺席 with the reason across the row of an absent team, the totals
the trimmed mean dropped listed beside the score. Like the other official documents it is
written in Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import load_workbook

from banzu.documents.model import Cell, Document, Line, Para, Spacer, Table, blank, label, value
from banzu.documents.render import Format, Rendered, render, render_file, safe_filename
from banzu.editions.selectors import presentation_sheet
from banzu.presentations.results import EventResults, Mark, RoomResults, TeamRow
from banzu.scoring.core import Rule

ONE = "0.0"
TWO = "0.00"
RECUSED = "回避"
MISSING = "未交"
RETURNED = "退回修改"
ROW_HEIGHT_PT = 30  # the summary's team rows in Excel: room for two lines, and for a pen
SIGN_HEIGHT_PT = 36


def _rule(room: RoomResults) -> str:
    edition = room.room.event.edition
    weight = edition.presentation_weight
    if edition.aggregation_rule == Rule.TRIMMED_MEAN:
        return (
            f"发布得分（满分{weight}）为计入的评分表总分的平均值；"
            f"{edition.trim_min_experts} 位及以上专家评分时去掉一个最高分和一个最低分，"
            "最后四舍五入保留两位小数。回避的专家不评该班组。"
        )
    return (
        f"发布得分（满分{weight}）为计入的评分表总分的平均值，最后四舍五入保留两位小数。"
        "回避的专家不评该班组。"
    )


def _fixed(number: Decimal | None, number_format: str) -> Cell:
    """A figure printed with its decimals (a signed score reads 15.00, not 15), kept a number
    in Excel."""
    if number is None:
        return value(None, align="center")
    places = len(number_format.partition(".")[2])
    text = f"{number:.{places}f}"
    return Cell(
        content=(Para(text, "body", "center"),),
        align="center",
        value=number,
        number_format=number_format,
    )


def _member_name(room: RoomResults, index: int) -> str:
    member = room.panel[index]
    name = member.expert.display_name
    return f"{name}（组长）" if member.expert_id == room.room.chair_id else name


def _cell(row: TeamRow, index: int) -> Cell:
    cell = row.cells[index]
    if cell.mark == Mark.RECUSED:
        return value(RECUSED, align="center")
    if cell.mark == Mark.RETURNED:
        return value(RETURNED, align="center")
    if cell.sheet is None:
        return value(MISSING if row.missing else "", align="center")
    return _fixed(cell.sheet.total, ONE)


def _dropped(row: TeamRow) -> str:
    return "、".join(
        f"{cell.sheet.total:.1f}" for cell in row.cells if cell.mark == Mark.DROPPED and cell.sheet
    )


def room_document(room: RoomResults, *, today: dt.date) -> Document:
    event = room.room.event
    edition = event.edition
    members = len(room.panel)
    header = (
        label("出场顺序"),
        label("推荐编号"),
        label("班组名称"),
        label("单位名称"),
        *(label(_member_name(room, index)) for index in range(members)),
        label("有效评分表"),
        label("去掉的分数"),
        label(f"发布得分（满分{edition.presentation_weight}）"),
    )
    rows: list[tuple[Cell, ...]] = [header]
    for row in room.teams:
        application = row.slot.application
        first = (
            value(row.slot.position, align="center"),
            value(application.recommendation_number or ""),
            value(application.team.name),
            value(application.team.enterprise.name),
        )
        if row.absent:
            reason = f"缺席：{row.slot.absent_reason}" if row.slot.absent_reason else "缺席"
            rows.append((*first, value(reason, colspan=members + 3, align="center")))
            continue
        rows.append(
            (
                *first,
                *(_cell(row, index) for index in range(members)),
                value(f"{row.submitted}/{row.expected}", align="center"),
                value(_dropped(row), align="center"),
                _fixed(row.score.score, TWO),
            )
        )
    names = "、".join(_member_name(room, index) for index in range(members))
    title = f"{edition.year} 年度质量信得过班组发布会现场发布评分汇总表"
    blocks: list[Para | Line | Table | Spacer] = [
        Para(title, "title", "center"),
        Line("分会场：", room.room.name, "地点：", room.room.place or event.venue),
        Line("评审组成员：", names, "打印日期：", f"{today:%Y-%m-%d}"),
        Para(
            _rule(room) + f"表中“{RECUSED}”为回避，“{MISSING}”为尚未提交评分表，"
            "“缺席”的班组无发布得分。",
            "note",
        ),
        Table(
            widths=(8.0, 19, 18, 24, *(12.0 for _member in room.panel), 10, 13, 12),
            rows=tuple(rows),
            header_rows=1,
            rows_can_split=False,
        ),
        Spacer(8),
        Line("评审组长（签字）：", "", "日期：", ""),
        Para("评审组成员（签字）：", "label"),
    ]
    others = [m.expert.display_name for m in room.panel if m.expert_id != room.room.chair_id]
    for index in range(0, len(others), 2):
        pair = others[index : index + 2]
        blocks.append(Line(f"{pair[0]}：", "", f"{pair[1]}：" if len(pair) > 1 else "", ""))
    return Document(
        title=f"{title} {room.room.name}",
        blocks=tuple(blocks),
        landscape=True,
        sheet_name=room.room.name[:31] or "汇总表",
        keywords=("发布会", "评分汇总表"),
    )


def _with_row_heights(content: bytes, document: Document) -> bytes:
    """The summary is printed and signed: its team rows and signature lines get room for a pen
    in Excel (Cell.min_height_mm would make the PDF's rows as tall), or the height the renderer
    gave a row whose names wrap, whichever is more."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet is not None
    table = document.tables()[0]
    top = 1 + sum(
        1
        for block in document.blocks[: document.blocks.index(table)]
        if not isinstance(block, Spacer)
    )
    after = [
        block
        for block in document.blocks[document.blocks.index(table) + 1 :]
        if not isinstance(block, Spacer)
    ]
    rows = [(top + offset, ROW_HEIGHT_PT) for offset in range(len(table.rows))]
    rows += [(top + len(table.rows) + offset, SIGN_HEIGHT_PT) for offset in range(len(after))]
    for row, least in rows:
        dimension = sheet.row_dimensions[row]
        dimension.height = max(dimension.height or 0, least)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def room_summary_file(room: RoomResults, fmt: Format) -> Rendered:
    if fmt == "docx":
        raise ValueError("the score summary is a PDF or an Excel file")
    document = room_document(room, today=timezone.localdate())
    stem = f"发布评分汇总表_{room.room.event.edition.year}_{room.room.name}"
    if fmt == "xlsx":
        rendered = render_file(document, stem, fmt)
        return Rendered(
            rendered.filename, rendered.content_type, _with_row_heights(rendered.content, document)
        )
    return render_file(document, stem, fmt)


# --- Every counted sheet ------------------------------------------------------------------------


def sheets_document(results: EventResults, *, today: dt.date) -> Document:
    edition = results.event.edition
    items = presentation_sheet(edition)
    header = (
        label("序号"),
        label("分会场"),
        label("出场顺序"),
        label("推荐编号"),
        label("班组名称"),
        label("单位名称"),
        label("评审专家"),
        *(label(f"{item.position}. {item.title}（{blank(item.max_points)}）") for item in items),
        label("总分"),
        label("去掉"),
        label("评语"),
        label("提交时间"),
        label("代录入"),
    )
    rows: list[tuple[Cell, ...]] = [header]
    number = 0
    for room in results.rooms:
        for row in room.teams:
            application = row.slot.application
            for cell in row.cells:
                sheet = cell.sheet
                if sheet is None:
                    continue
                number += 1
                points = {
                    int(entry["position"]): Decimal(str(entry["points"])) for entry in sheet.items
                }
                submitted = sheet.submitted_at
                rows.append(
                    (
                        value(number, align="right"),
                        value(room.room.name),
                        value(row.slot.position, align="right"),
                        value(application.recommendation_number or ""),
                        value(application.team.name),
                        value(application.team.enterprise.name),
                        value(cell.member.expert.display_name),
                        *(
                            value(points.get(item.position), align="right", number_format=ONE)
                            for item in items
                        ),
                        value(sheet.total, align="right", number_format=ONE),
                        value("是" if cell.mark == Mark.DROPPED else "否", align="center"),
                        value(sheet.comment),
                        value(
                            f"{timezone.localtime(submitted):%Y-%m-%d %H:%M}" if submitted else ""
                        ),
                        value(sheet.entered_by.display_name if sheet.entered_by else ""),
                    )
                )
    title = f"{edition.year} 年度质量信得过班组发布会评分明细"
    return Document(
        title=title,
        blocks=(
            Para(title, "title", "center"),
            Line("浙江省工程建设质量管理协会", "", "日期：", f"{today:%Y-%m-%d}", underline=False),
            Para(
                "计入发布得分的评分表（已提交、评审组成员且未回避；缺席班组不计）。"
                "“去掉”为去掉最高分、最低分时未计入平均值的评分表。",
                "note",
            ),
            Table(
                widths=(7.0, 14, 9, 16, 20, 24, 12, *(11.0 for _item in items), 8, 7, 40, 17, 10),
                rows=tuple(rows),
                header_rows=1,
            ),
        ),
        landscape=True,
        sheet_name="发布评分明细",
    )


def sheets_xlsx(results: EventResults) -> tuple[str, bytes]:
    document = sheets_document(results, today=timezone.localdate())
    return f"{safe_filename(f'发布评分明细_{results.event.edition.year}')}.xlsx", render(
        document, "xlsx"
    )
