"""The panel's presentation sheets: an expert's submission from the phone (stored exactly once
per client key), the chair's return for correction, and the admin's entry of a paper sheet.

Every state change goes through the SHEET machine (banzu.core.workflow.apply). The scope rules
are checked here as well as in the views: an expert scores only in their room, only a team they
are not recused from, and only the team the console has opened (or one whose sheet the chair
returned to them), and never in a closed room. Each refusal is journalled.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.access import is_admin, is_expert
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, TransitionRefused, apply
from banzu.editions.selectors import SheetItem, presentation_sheet
from banzu.presentations import selectors
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import (
    PanelMember,
    PresentationSheet,
    PresentationSheetVersion,
    Recusal,
    Slot,
)
from banzu.presentations.workflow import ADMIN, CHAIR, EXPERT, SHEET
from banzu.scoring import core

actions.register("presentations.sheet_refused")

ONE_DECIMAL = Decimal("0.1")


class SheetError(ServiceError):
    """A refused sheet; `field_errors` maps an item's position to what is wrong with its
    points, and the other values stay as they were typed."""


@dataclass(frozen=True)
class Submission:
    sheet: PresentationSheet
    replayed: bool  # the same client key again: the stored sheet, nothing changed


@dataclass(frozen=True)
class PaperScan:
    stored_name: str
    sha256: str


def refusal_message(code: str) -> str:
    messages = {
        "not_on_panel": _("You are not on this room's panel."),
        "recused": _("You are recused from this team and do not score it."),
        "room_closed": _("The room is closed: sheets are no longer accepted here."),
        "not_open": _("This team is not open for scoring now."),
        "submitted": _(
            "This sheet has been submitted and is locked. The panel chair can return it to you "
            "for correction."
        ),
        "key_used": _("This submission belongs to another sheet."),
        "not_presented": _("This team has not presented."),
        "forbidden": _("You may not take this step."),
    }
    return messages.get(code, _("The sheet was refused."))


def _point_message(code: str, max_points: Decimal) -> str:
    if code == "over_max":
        return _("At most %(max)s points.") % {"max": max_points.normalize()}
    if code == "negative":
        return _("Points cannot be negative.")
    if code == "missing":
        return _("Give points for this item.")
    return _("Use whole or half points (e.g. 4 or 4.5).")


def check_sheet(items: Sequence[SheetItem], given: Mapping[int, str]) -> dict[int, Decimal]:
    """The typed points of every item, checked against its maximum in half points; every
    wrong item is named at once."""
    values: dict[int, Decimal] = {}
    errors: dict[int, str] = {}
    for item in items:
        raw = str(given.get(item.position) or "").strip().replace(",", ".")
        if not raw:
            errors[item.position] = _point_message("missing", item.max_points)
            continue
        try:
            points = Decimal(raw)
            if not points.is_finite():
                raise InvalidOperation
            values[item.position] = core.check_points(points, item.max_points)
        except InvalidOperation:
            errors[item.position] = _point_message("step", item.max_points)
        except core.PointsError as error:
            errors[item.position] = _point_message(error.code, item.max_points)
    if errors:
        raise SheetError(_("Some points need correcting."), code="invalid", field_errors=errors)
    return values


def stored_items(values: Mapping[int, Decimal]) -> list[dict[str, Any]]:
    return [
        {"position": position, "points": str(points.quantize(ONE_DECIMAL))}
        for position, points in sorted(values.items())
    ]


def points_by_position(sheet: PresentationSheet) -> dict[int, Decimal]:
    return {int(item["position"]): Decimal(str(item["points"])) for item in sheet.items}


# --- Scope -----------------------------------------------------------------------------------


def seat_of(slot: Slot, expert: User) -> PanelMember | None:
    if slot.room_id is None:
        return None
    return PanelMember.objects.filter(room_id=slot.room_id, expert_id=expert.pk).first()


def is_recused(slot: Slot, expert: User) -> bool:
    return Recusal.objects.filter(slot=slot, member__expert_id=expert.pk).exists()


def scope_refusal(slot: Slot, expert: User, sheet: PresentationSheet | None) -> str:
    """Why the expert may not submit this team's sheet now ("" when they may). The slot is read
    with its room, under the caller's lock."""
    room = slot.room
    if room is None or seat_of(slot, expert) is None:
        return "not_on_panel"
    if is_recused(slot, expert):
        return "recused"
    if room.state == RoomState.CLOSED:
        return "room_closed"
    if sheet is not None and sheet.state == SheetState.RETURNED:
        return ""
    if sheet is not None and sheet.state == SheetState.SUBMITTED:
        return "submitted"
    if room.state != RoomState.RUNNING or slot.state != SlotState.PRESENTING:
        return "not_open"
    return ""


def _refuse(code: str, *, slot: Slot, expert: User, by: User, ip: str | None) -> SheetError:
    record(
        action="presentations.sheet_refused",
        actor=by,
        target=slot.application,
        data={"code": code, "slot": slot.pk, "room": slot.room_id, "expert": expert.pk},
        ip=ip,
    )
    return SheetError(refusal_message(code), code=code)


# --- The expert's submission -----------------------------------------------------------------


def _stored_for_key(
    client_key: uuid.UUID, *, slot: Slot, expert: User, ip: str | None
) -> PresentationSheet | None:
    """The sheet this key already reached, if any: the live sheet, or the sheet one of whose
    returned versions carried the key. Another expert's or team's key is refused."""
    sheet = PresentationSheet.objects.filter(client_key=client_key).first()
    if sheet is None:
        version = (
            PresentationSheetVersion.objects.filter(client_key=client_key)
            .select_related("sheet")
            .first()
        )
        sheet = version.sheet if version is not None else None
    if sheet is None:
        return None
    if sheet.expert_id != expert.pk or sheet.slot_id != slot.pk:
        raise _refuse("key_used", slot=slot, expert=expert, by=expert, ip=ip)
    return sheet


def submit_sheet(
    *,
    slot: Slot,
    expert: User,
    points: Mapping[int, str],
    comment: str,
    client_key: uuid.UUID,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Store the expert's sheet for the team and lock it, once: the same client key again
    answers with the stored sheet and changes nothing, also when two arrive at once."""
    stored = _stored_for_key(client_key, slot=slot, expert=expert, ip=ip)
    if stored is not None:
        return Submission(stored, replayed=True)
    items = presentation_sheet(slot.event.edition)
    refusal = ""
    try:
        with transaction.atomic():
            # The console's moves lock the slot too: the state read here holds until commit.
            locked = (
                Slot.objects.select_for_update(of=("self",)).select_related("room").get(pk=slot.pk)
            )
            sheet = (
                PresentationSheet.objects.select_for_update()
                .order_by()  # the model's ordering joins the nullable room
                .filter(slot=locked, expert_id=expert.pk)
                .first()
            )
            if sheet is not None and sheet.client_key == client_key:
                return Submission(sheet, replayed=True)
            refusal = scope_refusal(locked, expert, sheet)
            if not refusal:
                values = check_sheet(items, points)
                saved = _save_submitted(
                    locked,
                    sheet,
                    expert=expert,
                    values=values,
                    comment=comment,
                    client_key=client_key,
                    by=expert,
                    actors=lambda found: {EXPERT} if found.expert_id == expert.pk else set(),
                    ip=ip,
                    now=now,
                )
                return Submission(saved, replayed=False)
    except IntegrityError:
        # A twin request with the same key committed first (the unique key or the one sheet
        # per expert and team): answer with what it stored.
        stored = _stored_for_key(client_key, slot=slot, expert=expert, ip=ip)
        if stored is not None:
            return Submission(stored, replayed=True)
        refusal = "submitted"
    raise _refuse(refusal, slot=slot, expert=expert, by=expert, ip=ip)


def _save_submitted(
    slot: Slot,
    sheet: PresentationSheet | None,
    *,
    expert: User,
    values: Mapping[int, Decimal],
    comment: str,
    client_key: uuid.UUID | None,
    by: User,
    actors: Callable[[PresentationSheet], set[str]],
    ip: str | None,
    now: dt.datetime | None,
    paper: PaperScan | None = None,
) -> PresentationSheet:
    items = stored_items(values)
    total = core.sheet_total(list(values.values())).quantize(ONE_DECIMAL)
    if sheet is None:
        sheet = PresentationSheet(
            slot=slot,
            expert=expert,
            state=SheetState.DRAFT,
            items=items,
            total=total,
            comment=comment.strip(),
            client_key=client_key,
        )
        sheet.full_clean(validate_unique=False, validate_constraints=False)
        with transaction.atomic():
            sheet.save()

    def fill(locked: PresentationSheet, move: Move) -> None:
        locked.items = items
        locked.total = total
        locked.comment = comment.strip()
        locked.client_key = client_key
        locked.submitted_at = move.now
        locked.entered_by = by if paper is not None else None
        locked.scan_path = paper.stored_name if paper is not None else ""
        locked.scan_sha256 = paper.sha256 if paper is not None else ""
        move.data.update(
            {
                "sheet": locked.pk,
                "slot": slot.pk,
                "room": slot.room_id,
                "expert": expert.pk,
                "version": locked.version,
                "total": str(total),
                "client_key": str(client_key) if client_key else "",
            }
        )
        if paper is not None:
            move.data.update({"paper": True, "entered_by": by.pk, "scan_sha256": paper.sha256})

    return apply(
        SHEET,
        sheet,
        target=SheetState.SUBMITTED,
        actor=by,
        actors=actors,
        ip=ip,
        now=now,
        update=fill,
        journal_target=lambda _locked: slot.application,
    )


# --- The chair's return ----------------------------------------------------------------------


def may_return(user: User, sheet: PresentationSheet) -> set[str]:
    """The admin returns any sheet; the room's chair returns the sheets of the others on the
    panel (never their own: a chair who sees the others' points does not correct their own)."""
    found: set[str] = set()
    if is_admin(user):
        found.add(ADMIN)
    room = sheet.slot.room
    if (
        is_expert(user)
        and room is not None
        and room.chair_id == user.pk
        and sheet.expert_id != user.pk
    ):
        found.add(CHAIR)
    return found


def return_sheet(
    *,
    sheet: PresentationSheet,
    by: User,
    reason: str,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> PresentationSheet:
    """Give a submitted sheet back to its expert for correction, with a reason. The sheet as it
    was submitted is kept as a version; the expert submits it again with a new key."""

    def guard(locked: PresentationSheet, _target: str) -> None:
        room = locked.slot.room
        if room is not None and room.state == RoomState.CLOSED:
            raise TransitionRefused(refusal_message("room_closed"), code="room_closed")

    def keep_version(locked: PresentationSheet, move: Move) -> None:
        old = PresentationSheetVersion.objects.create(
            sheet=locked,
            version=locked.version,
            items=locked.items,
            total=locked.total,
            comment=locked.comment,
            client_key=locked.client_key,
            submitted_at=locked.submitted_at,
            returned_by=by,
            reason=move.reason,
        )
        move.data.update(
            {
                "sheet": locked.pk,
                "slot": locked.slot_id,
                "expert": locked.expert_id,
                "kept_version": old.version,
                "total": str(old.total),
            }
        )
        locked.client_key = None
        locked.submitted_at = None
        locked.version += 1

    return apply(
        SHEET,
        sheet,
        target=SheetState.RETURNED,
        actor=by,
        actors=lambda locked: may_return(by, locked),
        reason=reason,
        ip=ip,
        now=now,
        related=("slot",),
        guard=guard,
        update=keep_version,
        journal_target=lambda locked: locked.slot.application,
    )


# --- The admin's paper sheet -----------------------------------------------------------------


def enter_paper_sheet(
    *,
    slot: Slot,
    expert: User,
    points: Mapping[int, str],
    comment: str,
    scan: PaperScan,
    by: User,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> PresentationSheet:
    """The admin types in an expert's paper sheet after the event, with the scan stored
    beforehand (banzu.presentations.scans); the sheet says who typed it. The room may be closed;
    the expert must be one of the team's scorers, and a submitted sheet must be returned
    first."""
    refusal = ""
    with transaction.atomic():
        locked = Slot.objects.select_for_update(of=("self",)).select_related("room").get(pk=slot.pk)
        sheet = (
            PresentationSheet.objects.select_for_update()
            .order_by()  # the model's ordering joins the nullable room
            .filter(slot=locked, expert_id=expert.pk)
            .first()
        )
        if not is_admin(by):
            refusal = "forbidden"
        elif locked.room is None or seat_of(locked, expert) is None:
            refusal = "not_on_panel"
        elif is_recused(locked, expert):
            refusal = "recused"
        elif locked.state not in (SlotState.PRESENTING, SlotState.DONE):
            refusal = "not_presented"
        elif sheet is not None and sheet.state == SheetState.SUBMITTED:
            refusal = "submitted"
        else:
            values = check_sheet(presentation_sheet(slot.event.edition), points)
            saved = _save_submitted(
                locked,
                sheet,
                expert=expert,
                values=values,
                comment=comment,
                client_key=None,
                by=by,
                actors=lambda _found: {ADMIN} if is_admin(by) else set(),
                ip=ip,
                now=now,
                paper=scan,
            )
            if locked.room.state == RoomState.CLOSED:
                # The room's scores were recorded when it closed: this sheet counts too.
                locked.score = selectors.slot_score(locked, locked.event).score.score
                locked.save(update_fields=["score"])
            return saved
    raise _refuse(refusal, slot=slot, expert=expert, by=by, ip=ip)
