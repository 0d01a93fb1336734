"""The expert's review tasks on the home page (answered through banzu.core.hooks.dashboard_cards,
since the applications app below may not import the review): how many applications are assigned,
how many wait for the conflict declaration, how many sheets are drafts or submitted, and the way
to them. Before any assignment the home page says there is no work yet."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from banzu.accounts.enums import Role
from banzu.core import hooks
from banzu.editions.resolver import edition_for
from banzu.review import selectors
from banzu.review.enums import AssignmentState
from banzu.scoring.enums import SheetState


@receiver(hooks.dashboard_cards, dispatch_uid="review.expert_tasks")
def expert_tasks_card(sender: type, request: Any, user: Any, **kwargs: Any) -> SafeString | None:
    if getattr(user, "role", None) != Role.EXPERT:
        return None
    edition = edition_for(request)
    if edition is None:
        return None
    rows = selectors.expert_assignments(user, edition)
    if not rows:
        return None
    pending = sum(1 for row in rows if row.assignment.state == AssignmentState.PENDING)
    submitted = sum(1 for row in rows if row.submitted)
    drafts = sum(
        1 for row in rows if row.sheet is not None and row.sheet.state != SheetState.SUBMITTED
    )
    return SafeString(
        render_to_string(
            "review/_expert_card.html",
            {
                "edition": edition,
                "assigned": len(rows),
                "pending": pending,
                "drafts": drafts,
                "submitted": submitted,
                "to_do": len(rows) - submitted,
            },
            request=request,
        )
    )
