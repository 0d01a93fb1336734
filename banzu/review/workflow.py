"""The assignment state machine as data: the expert declares, the admin removes or restores.

Rule actions are named after the state they reach, so the journal reads
``review.assignment.confirmed`` / ``.conflict`` / ``.removed`` / ``.pending``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from banzu.core.workflow import Machine, Rule, rule
from banzu.review.enums import AssignmentState as S

ASSIGNMENT_TRANSITIONS: dict[tuple[S, S], Rule] = {
    (S.PENDING, S.CONFIRMED): rule("confirmed", "expert"),
    (S.PENDING, S.CONFLICT): rule("conflict", "expert", reason=True),
    (S.CONFIRMED, S.CONFLICT): rule("conflict", "expert", reason=True),
    (S.PENDING, S.REMOVED): rule("removed", "admin", reason=True),
    (S.CONFIRMED, S.REMOVED): rule("removed", "admin", reason=True),
    (S.REMOVED, S.PENDING): rule("pending", "admin"),
}

ASSIGNMENT = Machine("review.assignment", ASSIGNMENT_TRANSITIONS)


def refusal_message(code: str) -> str:
    messages = {
        "not_allowed": _("This change is not possible now."),
        "forbidden": _("You may not make this change."),
        "reason": _("A reason is required."),
    }
    return messages.get(code, _("This change is not possible now."))
