"""Who may see what of the expert review.

An expert reaches an application, its files and their own sheet only through an active
assignment: unassigned, conflicted or removed, the application does not exist for them (404),
and the materials stay closed until they have declared no conflict. The review's admin pages are
the provincial admin's; to anyone else they are 404. Every refusal is in the journal.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from banzu.accounts.enums import Role
from banzu.core.access import deny
from banzu.core.params import int_param
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment, ExpertProfile
from banzu.review.selectors import REVIEW_STATES


def assignment_for_expert_or_404(
    request: HttpRequest, application_pk: Any, *, declared: bool = True
) -> Assignment:
    """The requesting expert's active assignment on the application. With declared=True (the
    materials and the sheet) only after they declared no conflict."""
    user = request.user
    states = [AssignmentState.CONFIRMED]
    if not declared:
        states.append(AssignmentState.PENDING)
    assignment = None
    pk = int_param(application_pk)  # a URL's number past 64 bits is no application, not a 500
    if user.is_authenticated and user.is_active and user.role == Role.EXPERT and pk is not None:
        assignment = (
            Assignment.objects.filter(
                expert=user,
                application_id=pk,
                state__in=states,
                application__state__in=REVIEW_STATES,
            )
            .select_related(
                "application__edition", "application__team__enterprise", "application__recommender"
            )
            .first()
        )
    if assignment is None:
        raise deny(request, "review application", application_pk)
    return assignment


def get_expert_profile_or_404(pk: Any) -> ExpertProfile:
    """An expert of the pool, for the pool's pages (already behind the admin's gate)."""
    return get_object_or_404(ExpertProfile.objects.select_related("user", "employer"), pk=pk)
