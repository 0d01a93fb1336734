"""The score sheet state machine as data: the scorer submits (and so locks) a sheet; only the
provincial admin reopens it, with a reason, keeping the submitted version."""

from __future__ import annotations

from django.utils.translation import gettext as _

from banzu.core.workflow import Machine, Rule, default_refusal_message, rule
from banzu.scoring.enums import SheetState as S

SHEET_TRANSITIONS: dict[tuple[S, S], Rule] = {
    (S.DRAFT, S.SUBMITTED): rule("submit", "scorer"),
    (S.SUBMITTED, S.DRAFT): rule("reopen", "admin", reason=True),
}

SHEET = Machine("score", SHEET_TRANSITIONS)


def refusal_message(code: str, target: str) -> str:
    if code == "not_allowed" and target == S.DRAFT:
        return _("Only a submitted sheet can be reopened.")
    if code == "not_allowed":
        return _("This score sheet has been submitted and is locked.")
    if code == "reason":
        return _("Give a reason for reopening the sheet.")
    return default_refusal_message(code)
