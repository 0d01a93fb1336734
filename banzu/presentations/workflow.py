"""The event's state machines as data, run by the one workflow engine (banzu.core.workflow).

Room: set up → drawn (the draw) → running (the console opens the first team) → closed.
Slot: waiting → presenting (the console opens it) → done (the console moves on), or absent with
a reason; an absent team may be taken back into the order before the room closes.
Sheet: draft → submitted (the expert, or the admin typing a paper sheet); the chair or the admin
returns a submitted sheet with a reason, and the expert submits it again.
"""

from __future__ import annotations

from banzu.core.workflow import Machine, Rule, rule
from banzu.presentations.enums import RoomState as R
from banzu.presentations.enums import SheetState as H
from banzu.presentations.enums import SlotState as S

ADMIN = "admin"
SECRETARY = "secretary"  # the room's own secretary
EXPERT = "expert"  # the sheet's own expert, on the room's panel and not recused
CHAIR = "chair"  # the room's panel chair

ROOM_TRANSITIONS: dict[tuple[R, R], Rule] = {
    (R.SETUP, R.DRAWN): rule("drawn", ADMIN),
    (R.DRAWN, R.SETUP): rule("undrawn", ADMIN, reason=True),
    (R.DRAWN, R.RUNNING): rule("opened", ADMIN, SECRETARY),
    (R.RUNNING, R.CLOSED): rule("closed", ADMIN, SECRETARY),
    (R.CLOSED, R.RUNNING): rule("reopened", ADMIN, reason=True),
}

SLOT_TRANSITIONS: dict[tuple[S, S], Rule] = {
    (S.WAITING, S.PRESENTING): rule("presenting", ADMIN, SECRETARY),
    (S.PRESENTING, S.DONE): rule("done", ADMIN, SECRETARY),
    (S.WAITING, S.ABSENT): rule("absent", ADMIN, SECRETARY, reason=True),
    (S.PRESENTING, S.ABSENT): rule("absent", ADMIN, SECRETARY, reason=True),
    (S.ABSENT, S.WAITING): rule("waiting", ADMIN, SECRETARY),
    # The chair reopens a finished team so that a returned sheet can be corrected.
    (S.DONE, S.PRESENTING): rule("reopened", ADMIN, SECRETARY, CHAIR, reason=True),
}

SHEET_TRANSITIONS: dict[tuple[H, H], Rule] = {
    (H.DRAFT, H.SUBMITTED): rule("submitted", EXPERT, ADMIN),
    (H.RETURNED, H.SUBMITTED): rule("submitted", EXPERT, ADMIN),
    (H.SUBMITTED, H.RETURNED): rule("returned", CHAIR, ADMIN, reason=True),
}

ROOM = Machine("presentations.room", ROOM_TRANSITIONS)
SLOT = Machine("presentations.slot", SLOT_TRANSITIONS)
SHEET = Machine("presentations.sheet", SHEET_TRANSITIONS)
