"""The event's schedule (发布会日程): per room, the order, each team's planned time, the team, its
enterprise and its experience title — on the admin's page and as files through the documents
kernel (PDF: one table per room; Excel: one sheet per room)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.utils import timezone

from banzu.documents.model import (
    Cell,
    Document,
    Line,
    PageBreak,
    Para,
    Spacer,
    Table,
    chinese_date,
    label,
    value,
)
from banzu.documents.render import Format, Rendered, render_file, render_sheets_file
from banzu.presentations.enums import RoomState
from banzu.presentations.models import Event, Room, Slot
from banzu.presentations.selectors import planned_start
from banzu.presentations.setup import number_key


@dataclass(frozen=True)
class ScheduleRow:
    position: int | None
    starts: dt.datetime | None  # local time; None before the draw
    recommendation_number: str
    team: str
    enterprise: str
    title: str
    slot: Slot


@dataclass(frozen=True)
class RoomSchedule:
    room: Room
    drawn: bool
    rows: list[ScheduleRow]


def schedule(event: Event) -> list[RoomSchedule]:
    """Every room with its teams in order (drawn order; before the draw by recommendation
    number, without times). Two queries, whatever the size of the event."""
    rooms = list(event.rooms.order_by("position").select_related("secretary", "chair"))
    by_room: dict[int, list[Slot]] = {room.pk: [] for room in rooms}
    for slot in Slot.objects.filter(
        event=event, presenting=True, room__isnull=False
    ).select_related("application__team__enterprise"):
        by_room[slot.room_id or 0].append(slot)
    out = []
    for room in rooms:
        drawn = room.state != RoomState.SETUP
        slots = sorted(
            by_room[room.pk],
            key=lambda slot: (
                slot.position if drawn and slot.position is not None else 10**6,
                number_key(slot.application.recommendation_number, slot.application_id),
            ),
        )
        rows = [
            ScheduleRow(
                position=slot.position if drawn else None,
                starts=timezone.localtime(planned_start(room, slot.position, event))
                if drawn and slot.position is not None
                else None,
                recommendation_number=slot.application.recommendation_number or "",
                team=slot.application.team.name,
                enterprise=slot.application.team.enterprise.name,
                title=slot.application.experience_title,
                slot=slot,
            )
            for slot in slots
        ]
        out.append(RoomSchedule(room, drawn, rows))
    return out


# --- The layout ---------------------------------------------------------------------------

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("预计时间", 11),
    ("推荐编号", 15),
    ("班组名称", 18),
    ("单位名称", 30),
    ("经验名称", 40),
)
ROW_MM = 10.0


def title(year: int) -> str:
    return f"{year} 年度浙江省工程建设质量信得过班组发布会日程"


def filename_stem(year: int) -> str:
    return f"发布会日程_{year}"


def _dates(event: Event) -> str:
    if event.ends_on and event.ends_on != event.starts_on:
        return f"{chinese_date(event.starts_on)}至{chinese_date(event.ends_on)}"
    return chinese_date(event.starts_on)


def _room_heading(room: Room) -> str:
    start = timezone.localtime(room.starts_at)
    place = f" · {room.place}" if room.place else ""
    return f"{room.name}{place} · {chinese_date(start.date())} {start:%H:%M} 开始"


def _table(rows: list[ScheduleRow]) -> Table:
    header = tuple(label(name) for name, _width in COLUMNS)
    body = []
    for row in rows:
        cells: tuple[Cell, ...] = (
            value(row.position, align="center"),
            value(f"{row.starts:%H:%M}" if row.starts else "", align="center"),
            value(row.recommendation_number, align="center"),
            value(row.team),
            value(row.enterprise),
            value(row.title),
        )
        body.append(tuple(replace(c, min_height_mm=ROW_MM) for c in cells))
    if not body:
        body.append((value("（本分会场尚无班组）", colspan=len(COLUMNS), align="center"),))
    return Table(
        widths=tuple(float(width) for _name, width in COLUMNS),
        rows=(header, *body),
        header_rows=1,
        rows_can_split=False,
    )


def _head(event: Event) -> tuple[Para | Line, ...]:
    return (
        Para(title(event.edition.year), "title", "center"),
        Line("地点：", event.venue, "日期：", _dates(event), underline=False),
    )


def pdf_document(event: Event, rooms: list[RoomSchedule]) -> Document:
    """Every room on its own page(s): a heading and its table."""
    blocks: list[Para | Line | Table | Spacer | PageBreak] = list(_head(event))
    for index, room in enumerate(rooms):
        if index:
            blocks.append(PageBreak())
        blocks += [
            Spacer(3),
            Para(_room_heading(room.room), "heading"),
            _table(room.rows),
        ]
    return Document(
        title=title(event.edition.year),
        blocks=tuple(blocks),
        landscape=True,
        author="浙江省工程建设质量管理协会",
        keywords=("发布会", "日程"),
    )


def sheet_documents(event: Event, rooms: list[RoomSchedule]) -> list[Document]:
    """One document (one sheet) per room."""
    return [
        Document(
            title=title(event.edition.year),
            blocks=(*_head(event), Para(_room_heading(room.room)), _table(room.rows)),
            landscape=True,
            author="浙江省工程建设质量管理协会",
            sheet_name=_sheet_name(room.room, index),
        )
        for index, room in enumerate(rooms, start=1)
    ]


def _sheet_name(room: Room, index: int) -> str:
    # Excel: at most 31 characters, none of []:*?/\ ; unique within the workbook.
    cleaned = "".join("_" if ch in "[]:*?/\\" else ch for ch in room.name).strip("'")
    return f"{index}.{cleaned}"[:31]


def schedule_file(event: Event, fmt: Format) -> Rendered:
    rooms = schedule(event)
    stem = filename_stem(event.edition.year)
    if fmt == "xlsx":
        if not rooms:
            raise ValueError("the schedule has no room")
        return render_sheets_file(sheet_documents(event, rooms), stem)
    return render_file(pdf_document(event, rooms), stem, fmt)
