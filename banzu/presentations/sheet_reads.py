"""Reads of the presentation sheets for the expert's phone and the chair's page.

An expert reads only their own sheets. The chair sees, for each team of their room, who has
submitted and who has not, and returns a sheet its expert asks to correct; the points of the
others are the admin's alone (the issue: nobody but the admin sees the scores before
publication, and experts never see each other's). Nobody here reads a team's aggregate.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from banzu.accounts.models import User
from banzu.core.access import is_admin
from banzu.editions.selectors import SheetItem, presentation_sheet
from banzu.presentations import selectors
from banzu.presentations.enums import SheetState, SlotState
from banzu.presentations.models import (
    PanelMember,
    PresentationSheet,
    PresentationSheetVersion,
    Recusal,
    Room,
    Slot,
)

SHEET_RELATED = ("entered_by", "expert")


@dataclass
class ExpertView:
    """What the expert's phone shows: the team now presenting, the team whose sheet is on
    screen (the current one, or one returned to them), and their own sheet for it."""

    room: Room
    current: Slot | None
    shown: Slot | None
    sheet: PresentationSheet | None
    recusal: Recusal | None
    returned: list[PresentationSheet]
    return_reason: str = ""

    @property
    def editable(self) -> bool:
        if self.shown is None or self.recusal is not None:
            return False
        if self.sheet is not None:
            return self.sheet.state == SheetState.RETURNED
        return self.current is not None and self.shown.pk == self.current.pk

    @property
    def correcting(self) -> bool:
        return self.sheet is not None and self.sheet.state == SheetState.RETURNED

    @property
    def follow(self) -> bool:
        """The console opened another team than the one on screen; the page goes there
        unless the expert is correcting a returned sheet."""
        current_pk = self.current.pk if self.current is not None else None
        shown_pk = self.shown.pk if self.shown is not None else None
        return current_pk != shown_pk and not self.correcting


def presenting(room: Room) -> Slot | None:
    current = room.current
    return current if current is not None and current.state == SlotState.PRESENTING else None


def expert_view(room: Room, expert: User, wanted: str | None = None) -> ExpertView:
    current = presenting(room)
    mine = {
        sheet.slot_id: sheet
        for sheet in PresentationSheet.objects.filter(
            slot__room=room, expert_id=expert.pk
        ).select_related("slot__application__team__enterprise", *SHEET_RELATED)
    }
    shown = current
    if wanted and wanted.isdigit() and int(wanted) in mine:
        shown = mine[int(wanted)].slot
    sheet = mine.get(shown.pk) if shown is not None else None
    recusal = (
        Recusal.objects.filter(slot=shown, member__expert_id=expert.pk).first()
        if shown is not None
        else None
    )
    returned = [s for s in mine.values() if s.state == SheetState.RETURNED]
    view = ExpertView(room, current, shown, sheet, recusal, returned)
    if sheet is not None and sheet.state == SheetState.RETURNED:
        view.return_reason = last_reason(sheet)
    return view


def last_reason(sheet: PresentationSheet) -> str:
    version = PresentationSheetVersion.objects.filter(sheet=sheet).order_by("-version").first()
    return version.reason if version is not None else ""


def sheet_items(room: Room) -> list[SheetItem]:
    return presentation_sheet(room.event.edition)


@dataclass
class ChairEntry:
    member: PanelMember
    sheet: PresentationSheet | None
    recused: bool
    returnable: bool = False
    points: list[tuple[str, str]] = field(default_factory=list)  # (item title, points)


@dataclass
class ChairRow:
    slot: Slot
    entries: list[ChairEntry] = field(default_factory=list)
    show_points: bool = False

    @property
    def submitted(self) -> int:
        return len([e for e in self.entries if e.sheet and e.sheet.state == SheetState.SUBMITTED])

    @property
    def expected(self) -> int:
        return len([e for e in self.entries if not e.recused])


def chair_rows(room: Room, viewer: User) -> list[ChairRow]:
    """The room's teams that have presented or are presenting, each with its scorers and their
    sheets; points shown per the rule in this module's docstring."""
    slots = [
        slot
        for slot in selectors.room_order(room)
        if slot.state in (SlotState.PRESENTING, SlotState.DONE)
    ]
    members = list(PanelMember.objects.filter(room=room).select_related("expert"))
    recused = set(Recusal.objects.filter(slot__in=slots).values_list("slot_id", "member_id"))
    sheets = {
        (sheet.slot_id, sheet.expert_id): sheet
        for sheet in PresentationSheet.objects.filter(slot__in=slots).select_related(*SHEET_RELATED)
    }
    items = presentation_sheet(room.event.edition)
    rows = []
    for slot in slots:
        row = ChairRow(slot)
        for member in members:
            sheet = sheets.get((slot.pk, member.expert_id))
            row.entries.append(
                ChairEntry(
                    member,
                    sheet,
                    (slot.pk, member.pk) in recused,
                    returnable=sheet is not None
                    and (is_admin(viewer) or sheet.expert_id != viewer.pk),
                )
            )
        row.show_points = is_admin(viewer)
        if row.show_points:
            for entry in row.entries:
                if entry.sheet is not None and entry.sheet.state == SheetState.SUBMITTED:
                    given = {int(i["position"]): str(i["points"]) for i in entry.sheet.items}
                    entry.points = [(item.title, given.get(item.position, "")) for item in items]
                else:
                    entry.points = [(item.title, "") for item in items]
        rows.append(row)
    return rows
