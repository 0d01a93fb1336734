"""The recommender's writes: return, decline, recommend with a number, and the batch."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.applications import notices
from banzu.applications.enums import ApplicationState
from banzu.applications.messages import refusal_message
from banzu.applications.models import Application
from banzu.applications.permissions import actors_for
from banzu.applications.services import deadline_open, transition
from banzu.applications.workflow import Actor
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.access import is_admin
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState
from banzu.recommendations.models import Batch
from banzu.recommendations.workflow import BATCH
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput, ScoringError, save_sheet

actions.register("batch.set_quota")


def batch_for(edition: Edition, recommender: Recommender) -> Batch:
    batch, _created = Batch.objects.get_or_create(edition=edition, recommender=recommender)
    return batch


def _require_open_batch(application: Application, actor: User) -> Batch:
    batch = batch_for(application.edition, application.recommender)
    if batch.state != BatchState.OPEN:
        raise ServiceError(
            _(
                "The batch of %(recommender)s has been submitted to the province; "
                "only the provincial admin can reopen it."
            )
            % {"recommender": application.recommender.name},
            code="batch_locked",
        )
    return batch


def return_application(
    *, application: Application, actor: User, reason: str, ip: str | None = None
) -> Application:
    _require_open_batch(application, actor)
    return transition(application, to=ApplicationState.DRAFT, actor=actor, reason=reason, ip=ip)


def decline_application(
    *, application: Application, actor: User, reason: str, ip: str | None = None
) -> Application:
    _require_open_batch(application, actor)
    return transition(
        application, to=ApplicationState.NOT_RECOMMENDED, actor=actor, reason=reason, ip=ip
    )


def recommend_application(
    *, application: Application, actor: User, ip: str | None = None
) -> Application:
    """Recommend with the next number of the recommender's batch, within its quota.

    The batch row is locked while the number is taken, so two staff recommending at the same
    moment get different numbers (and SQLite's immediate transactions queue them anyway).
    """
    batch_for(application.edition, application.recommender)
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update()
            .select_related("recommender", "edition")
            .get(edition=application.edition, recommender=application.recommender)
        )
        if batch.state != BatchState.OPEN:
            _require_open_batch(application, actor)
        if batch.quota is not None:
            taken = Application.objects.filter(
                edition=batch.edition,
                recommender=batch.recommender,
                recommendation_number__isnull=False,
                state=ApplicationState.RECOMMENDED,
            ).count()
            if taken >= batch.quota:
                raise ServiceError(
                    _(
                        "The quota of %(quota)s recommendations for %(recommender)s is "
                        "reached; only the provincial association can raise it."
                    )
                    % {"quota": batch.quota, "recommender": batch.recommender.name},
                    code="quota",
                )
        number = batch.last_number + 1
        code = number_code(batch, number)
        result = transition(
            application,
            to=ApplicationState.RECOMMENDED,
            actor=actor,
            ip=ip,
            extra={"recommendation_number": code},
        )
        Batch.objects.filter(pk=batch.pk).update(last_number=number)
    return result


def number_code(batch: Batch, number: int) -> str:
    """A recommendation number as printed: the recommender's prefix, the year, the sequence."""
    return f"{batch.recommender.number_prefix}-{batch.edition.year}-{number:03d}"


def _check_on_arrival(batch: Batch, actor: User, ip: str | None) -> None:
    """Announce the batch's arrival: the screening, a later stage, runs the province's automatic
    checks in the background once the submission is committed."""
    from banzu.core import hooks

    hooks.batch_arrived.send(sender=Batch, batch=batch, actor=actor, ip=ip)


def transition_batch(
    batch: Batch,
    *,
    to: BatchState,
    actor: User,
    reason: str = "",
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Batch:
    """The one function that changes a batch's state, with its audit entry and notice."""

    def update(locked: Batch, move: Move) -> None:
        if to == BatchState.SUBMITTED:
            locked.submitted_at = move.now
            locked.submitted_by = actor
        else:
            locked.reopened_at = move.now
            locked.reopen_reason = move.reason

    def after(locked: Batch, move: Move) -> None:
        if to == BatchState.SUBMITTED:
            notices.batch_submitted(locked, recommended_count=recommended_count(locked))
            _check_on_arrival(locked, actor, ip)

    return apply(
        BATCH,
        batch,
        target=to,
        actor=actor,
        actors=lambda locked: _batch_actors(actor, locked),
        reason=reason,
        ip=ip,
        now=now,
        # A batch the admin reopened may be resubmitted after the deadline: reopening is the
        # admin's extension.
        deadline_open=lambda locked, moment: (
            deadline_open(locked.edition, moment) or locked.reopened_at is not None
        ),
        related=("edition", "recommender"),
        update=update,
        after=after,
        refusal_message=_batch_refusal,
    )


def recommended_count(batch: Batch) -> int:
    return Application.objects.filter(
        edition=batch.edition, recommender=batch.recommender, state=ApplicationState.RECOMMENDED
    ).count()


def _batch_refusal(code: str, batch: Batch) -> str:
    if code == "deadline":
        return _(
            "The recommendation deadline (%(deadline)s) has passed; the batch can no longer "
            "be submitted. Please contact the provincial association."
        ) % {
            "deadline": timezone.localtime(batch.edition.recommendation_deadline).strftime(
                "%Y-%m-%d %H:%M"
            )
        }
    return refusal_message(code)


def _batch_actors(actor: User, batch: Batch) -> set[Actor]:
    if not actor.is_authenticated or not actor.is_active:
        return set()
    if is_admin(actor):
        return {Actor.ADMIN}
    if actor.role == Role.RECOMMENDER and actor.recommender_id == batch.recommender_id:
        return {Actor.RECOMMENDER}
    return set()


def set_quota(*, batch: Batch, quota: int | None, by: User, ip: str | None = None) -> Batch:
    with transaction.atomic():
        batch.quota = quota
        batch.full_clean()
        batch.save(update_fields=["quota"])
        record(action="batch.set_quota", actor=by, target=batch, data={"quota": quota}, ip=ip)
    return batch


SCORABLE_STATES = (ApplicationState.SUBMITTED, ApplicationState.RECOMMENDED)


def scoring_closed_reason(application: Application, batch: Batch, sheet: ScoreSheet | None) -> str:
    """Why a staff member's preliminary sheet cannot change now, or "" when it can."""
    if sheet is not None and sheet.state == SheetState.SUBMITTED:
        return _("You have submitted this score sheet; it is locked.")
    if application.state not in SCORABLE_STATES:
        return _("Only submitted or recommended applications are scored.")
    if batch.state != BatchState.OPEN:
        return _(
            "The batch has been submitted to the province; scores can no longer change "
            "unless the provincial admin reopens it."
        )
    return ""


def save_preliminary_sheet(
    *,
    application: Application,
    scorer: User,
    items: dict[int, ItemInput],
    expected_version: int | None,
    submit: bool = False,
    ip: str | None = None,
) -> ScoreSheet:
    """A recommender staff member's sheet, while the application and the batch allow it."""
    if Actor.RECOMMENDER not in actors_for(scorer, application):
        raise ScoringError(_("You may not score this application."), code="forbidden")
    batch = batch_for(application.edition, application.recommender)
    sheet = ScoreSheet.objects.filter(
        application=application, stage=SheetStage.RECOMMENDER, scorer=scorer
    ).first()
    reason = scoring_closed_reason(application, batch, sheet)
    if reason:
        raise ScoringError(reason, code="closed")
    return save_sheet(
        application=application,
        scorer=scorer,
        stage=SheetStage.RECOMMENDER,
        items=items,
        expected_version=expected_version,
        submit=submit,
        ip=ip,
    )
