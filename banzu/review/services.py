"""Writes of the expert review: assignments (automatic and by hand), conflict declarations, the
expert's sheet, reopening a sheet, reminders and the end of the review.

An assignment's state changes only in `transition_assignment`, which checks the move against its
table, writes the audit entry and queues the mail.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.access import is_admin
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, TransitionRefused, apply
from banzu.editions.models import Edition
from banzu.review import assignment as planner
from banzu.review import notices, selectors
from banzu.review.enums import ACTIVE_ASSIGNMENT_STATES, AssignmentSource, AssignmentState
from banzu.review.models import Assignment, Reminder, ReviewSettings
from banzu.review.workflow import ASSIGNMENT, refusal_message
from banzu.scoring import services as scoring
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput

actions.register("review.assign", "review.assignment.add", "review.remind", "review.settings")

S = AssignmentState


# --- The assignment state machine -----------------------------------------------------------


# (from, to) -> (who may, reason required)
def _actor_kind(actor: User, assignment: Assignment) -> set[str]:
    if is_admin(actor):
        return {"admin"}
    if actor.role == Role.EXPERT and actor.pk == assignment.expert_id:
        return {"expert"}
    return set()


def transition_assignment(
    assignment: Assignment,
    *,
    to: AssignmentState,
    actor: User,
    reason: str = "",
    ip: str | None = None,
) -> Assignment:
    def guard(locked: Assignment, target: str) -> None:
        if target == S.CONFLICT and _has_submitted_sheet(locked):
            raise TransitionRefused(
                _(
                    "Your sheet for this application is already submitted. Ask the association "
                    "to reopen it before you declare a conflict."
                ),
                code="submitted",
            )

    def update(locked: Assignment, move: Move) -> None:
        locked.reason = move.reason
        if "expert" in move.rule.actors:
            locked.declared_at = move.now
        elif to == S.PENDING:
            locked.declared_at = None

    def after(locked: Assignment, move: Move) -> None:
        if to == S.CONFLICT:
            notices.conflict_declared(locked)

    return apply(
        ASSIGNMENT,
        assignment,
        target=to,
        actor=actor,
        actors=lambda locked: _actor_kind(actor, locked),
        reason=reason,
        ip=ip,
        related=("application", "expert"),
        guard=guard,
        update=update,
        after=after,
        data={"assignment": assignment.pk, "expert": assignment.expert_id},
        refusal_message=lambda code, _locked: refusal_message(code),
        journal_target=lambda locked: locked.application,
        update_fields=["state", "reason", "declared_at", "updated_at"],
    )


def _has_submitted_sheet(assignment: Assignment) -> bool:
    return ScoreSheet.objects.filter(
        application_id=assignment.application_id,
        scorer_id=assignment.expert_id,
        stage=SheetStage.MATERIALS,
        state=SheetState.SUBMITTED,
    ).exists()


def declare(
    assignment: Assignment, *, expert: User, conflict: bool, reason: str = "", ip: str | None = None
) -> Assignment:
    """The expert's declaration before seeing any material: no conflict, or a conflict with its
    reason (which takes the application away from them)."""
    return transition_assignment(
        assignment, to=S.CONFLICT if conflict else S.CONFIRMED, actor=expert, reason=reason, ip=ip
    )


# --- Assignment ------------------------------------------------------------------------------


def update_settings(
    *, edition: Edition, by: User, fields: dict[str, Any], ip: str | None = None
) -> ReviewSettings:
    review_settings = selectors.settings_for(edition)
    changed = {}
    for name, value in fields.items():
        if getattr(review_settings, name) != value:
            changed[name] = str(value)
            setattr(review_settings, name, value)
    review_settings.full_clean()
    with transaction.atomic():
        review_settings.save()
        if changed:
            record(action="review.settings", actor=by, target=edition, data=changed, ip=ip)
    return review_settings


@dataclass(frozen=True)
class AssignmentRun:
    added: int
    applications: int
    matched: int
    unmatched: int
    loads: dict[int, int]
    # What stops the rest (banzu.review.assignment.Partial), worded by banzu.review.problems.
    problems: tuple[planner.Problem, ...] = ()


def run_assignment(*, edition: Edition, by: User, ip: str | None = None) -> AssignmentRun:
    """Give every application under review up to its k conflict-free experts, keeping the
    assignments already made (even those over k, in conflict or of an expert no longer
    available: they are reported, not touched), with loads as even as the conflicts allow
    (banzu.review.assignment.assign_what_can). Applications still at "screened" that now
    have an expert move to "under review"."""
    k = selectors.settings_for(edition).experts_per_application
    applications = list(
        selectors.review_applications(edition).filter(
            state__in=(ApplicationState.SCREENED, ApplicationState.UNDER_REVIEW)
        )
    )
    profiles = list(selectors.pool(available_only=True))
    pool_ids = {profile.user_id for profile in profiles}
    active = list(
        Assignment.objects.active()
        .filter(application__in=applications)
        .values_list("application_id", "expert_id")
    )
    existing: dict[int, list[int]] = {}
    for application_id, expert_id in active:
        existing.setdefault(application_id, []).append(expert_id)
    conflicts = set(selectors.automatic_conflicts(applications, profiles))
    conflicts |= selectors.blocked_pairs(edition)
    partial = planner.assign_what_can(
        candidates=[
            planner.Candidate(id=a.pk, industry=a.team.enterprise.industry) for a in applications
        ],
        reviewers=[
            planner.Reviewer(id=p.user_id, specialities=frozenset(p.specialities)) for p in profiles
        ],
        k=k,
        conflicts=conflicts,
        existing=existing,
    )
    plan = partial.plan
    problems = list(partial.problems)
    outside = sorted({expert for _app, expert in active if expert not in pool_ids})
    if outside:
        problems.insert(0, planner.Problem(code="unavailable_assigned", experts=tuple(outside)))
    added = 0
    with transaction.atomic():
        for application in applications:
            for expert_id in plan.new.get(application.pk, ()):
                Assignment.objects.create(
                    application=application,
                    expert_id=expert_id,
                    source=AssignmentSource.AUTOMATIC,
                    created_by=by,
                )
                added += 1
            has_experts = plan.new.get(application.pk) or existing.get(application.pk)
            if application.state == ApplicationState.SCREENED and has_experts:
                application_services.transition(
                    application, to=ApplicationState.UNDER_REVIEW, actor=by, ip=ip
                )
        record(
            action="review.assign",
            actor=by,
            target=edition,
            data={
                "k": k,
                "applications": len(applications),
                "added": added,
                "matched": plan.matched,
                "unmatched": plan.unmatched,
                "problems": sorted({problem.code for problem in problems}),
            },
            ip=ip,
        )
        notices.experts_assigned(
            edition, sorted({e for experts in plan.new.values() for e in experts})
        )
    return AssignmentRun(
        added, len(applications), plan.matched, plan.unmatched, plan.loads, tuple(problems)
    )


def add_assignment(
    *, application: Application, expert: User, by: User, ip: str | None = None
) -> Assignment:
    """The admin's assignment by hand. A conflicted pair is refused, automatic or declared."""
    application.refresh_from_db(fields=["state"])
    if application.state not in (ApplicationState.SCREENED, ApplicationState.UNDER_REVIEW):
        raise ServiceError(_("Only applications under review get experts."), code="state")
    profile = getattr(expert, "expert_profile", None)
    if expert.role != Role.EXPERT or not expert.is_active or profile is None:
        raise ServiceError(_("Only active experts of the pool can be assigned."), code="not_expert")
    reason = selectors.conflict_reason(profile, application)
    if reason == "enterprise":
        raise ServiceError(
            _("Refused: %(expert)s works for the applying enterprise.") % {"expert": expert},
            code="conflict",
        )
    if reason == "recommender":
        raise ServiceError(
            _("Refused: %(expert)s belongs to the application's recommender.") % {"expert": expert},
            code="conflict",
        )
    with transaction.atomic():
        existing = (
            Assignment.objects.select_for_update()
            .filter(application=application, expert=expert)
            .first()
        )
        if existing is not None and existing.state == S.CONFLICT:
            raise ServiceError(
                _("Refused: %(expert)s declared a conflict with this application.")
                % {"expert": expert},
                code="conflict",
            )
        if existing is not None and existing.state in ACTIVE_ASSIGNMENT_STATES:
            raise ServiceError(_("This expert is already assigned."), code="duplicate")
        if existing is not None:
            assignment = transition_assignment(existing, to=S.PENDING, actor=by, ip=ip)
        else:
            assignment = Assignment.objects.create(
                application=application,
                expert=expert,
                source=AssignmentSource.MANUAL,
                created_by=by,
            )
            record(
                action="review.assignment.add",
                actor=by,
                target=application,
                data={"assignment": assignment.pk, "expert": expert.pk},
                ip=ip,
            )
        if application.state == ApplicationState.SCREENED:
            application_services.transition(
                application, to=ApplicationState.UNDER_REVIEW, actor=by, ip=ip
            )
        notices.experts_assigned(application.edition, [expert.pk])
    return assignment


def remove_assignment(
    *, assignment: Assignment, by: User, reason: str, ip: str | None = None
) -> Assignment:
    return transition_assignment(assignment, to=S.REMOVED, actor=by, reason=reason, ip=ip)


# --- The expert's sheet ----------------------------------------------------------------------


def sheet_closed_reason(application: Application, sheet: ScoreSheet | None) -> str:
    if sheet is not None and sheet.state == SheetState.SUBMITTED:
        return _("This score sheet has been submitted and is locked.")
    if application.state != ApplicationState.UNDER_REVIEW:
        return _("The expert review of this application is closed.")
    return ""


def save_expert_sheet(
    *,
    assignment: Assignment,
    expert: User,
    items: dict[int, ItemInput],
    overall_comment: str,
    expected_version: int | None,
    submit: bool = False,
    ip: str | None = None,
) -> ScoreSheet:
    """The expert's materials sheet: drafts may leave items empty; submitting needs every score,
    a comment per item and an overall comment, and locks the sheet."""
    if assignment.expert_id != expert.pk or assignment.state != S.CONFIRMED:
        raise scoring.ScoringError(_("You may not score this application."), code="forbidden")
    application = assignment.application
    sheet = ScoreSheet.objects.filter(
        application=application, stage=SheetStage.MATERIALS, scorer=expert
    ).first()
    closed = sheet_closed_reason(application, sheet)
    if closed:
        raise scoring.ScoringError(closed, code="closed")
    return scoring.save_sheet(
        application=application,
        scorer=expert,
        stage=SheetStage.MATERIALS,
        items=items,
        expected_version=expected_version,
        submit=submit,
        overall_comment=overall_comment,
        partial_draft=True,
        require_comments=True,
        ip=ip,
    )


def reopen_expert_sheet(
    *, sheet: ScoreSheet, by: User, reason: str, ip: str | None = None
) -> ScoreSheet:
    """The admin unlocks a submitted expert sheet; the submitted version is kept."""
    if not is_admin(by) or sheet.stage != SheetStage.MATERIALS:
        raise scoring.ScoringError(_("You may not reopen this sheet."), code="forbidden")
    application = sheet.application
    application.refresh_from_db(fields=["state"])
    if application.state not in (ApplicationState.UNDER_REVIEW, ApplicationState.SCORED):
        raise scoring.ScoringError(
            _("The expert review of this application is closed."), code="closed"
        )
    with transaction.atomic():
        reopened = scoring.reopen_sheet(sheet=sheet, by=by, reason=reason, ip=ip)
        if application.state == ApplicationState.SCORED:
            # The review was closed: the application goes back under review with the sheet.
            application_services.transition(
                application, to=ApplicationState.UNDER_REVIEW, actor=by, reason=reason, ip=ip
            )
    notices.sheet_reopened(sheet, reason.strip())
    return reopened


# --- Progress, reminders, the end of the review ----------------------------------------------


def send_reminders(
    *, edition: Edition, by: User, expert_ids: Sequence[int] | None = None, ip: str | None = None
) -> int:
    """Mail every expert who is behind (or the chosen ones among them) the list of what they
    still have to do. Returns how many were reminded."""
    board = selectors.progress(edition)
    due = selectors.settings_for(edition).due_at
    reminded = 0
    with transaction.atomic():
        for row in board.experts:
            if not row.behind or (expert_ids is not None and row.expert.pk not in expert_ids):
                continue
            Reminder.objects.create(
                edition=edition, expert=row.expert, outstanding=row.outstanding, sent_by=by
            )
            notices.reminder(row.expert, row.outstanding, row.pending, due)
            reminded += 1
        record(
            action="review.remind",
            actor=by,
            target=edition,
            data={"experts": reminded},
            ip=ip,
        )
    return reminded


def finish_review(*, edition: Edition, by: User, ip: str | None = None) -> int:
    """Move every application whose k experts have all submitted to "scored"."""
    board = selectors.progress(edition)
    finished = 0
    for row in board.applications:
        application = row.application
        if application.state != ApplicationState.UNDER_REVIEW:
            continue
        if row.assigned >= board.k and row.submitted == row.assigned:
            application_services.transition(
                application, to=ApplicationState.SCORED, actor=by, ip=ip
            )
            finished += 1
    return finished
