"""Writes to score sheets. A submitted sheet is locked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.access import is_admin
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ItemScore, ScoreSheet, SheetVersion
from banzu.scoring.workflow import SHEET, refusal_message

actions.register("score.save")


class ScoringError(ServiceError):
    """A refused sheet, with a message per rubric item (points, comment) and on the whole."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        errors: dict[int, str] | None = None,
        comment_errors: dict[int, str] | None = None,
        overall_error: str = "",
    ):
        super().__init__(message, code=code, field_errors=errors)
        self.errors = self.field_errors  # rubric item id -> message about its points
        self.comment_errors = comment_errors or {}  # rubric item id -> message about its comment
        self.overall_error = overall_error


@dataclass(frozen=True)
class ItemInput:
    points: Decimal
    comment: str = ""


def _point_message(code: str, max_points: Decimal) -> str:
    if code == "over_max":
        return _("At most %(max)s points.") % {"max": max_points.normalize()}
    if code == "negative":
        return _("Points cannot be negative.")
    return _("Use whole or half points (e.g. 12 or 12.5).")


def save_sheet(
    *,
    application: Application,
    scorer: User,
    stage: SheetStage,
    items: dict[int, ItemInput],
    expected_version: int | None,
    submit: bool = False,
    overall_comment: str | None = None,
    partial_draft: bool = False,
    require_comments: bool = False,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> ScoreSheet:
    """Save (and with submit=True lock) the scorer's sheet.

    Every rubric item needs points, except in a draft saved with partial_draft (the expert's
    sheet: items left empty stay empty). With require_comments, submitting also needs a comment
    on every item and an overall comment."""
    rubric = {item.pk: item for item in application.edition.rubric_items.all()}
    errors: dict[int, str] = {}
    comment_errors: dict[int, str] = {}
    for pk, item in rubric.items():
        given = items.get(pk)
        if given is None:
            if submit or not partial_draft:
                errors[pk] = _("Give a score for this item.")
            continue
        try:
            core.check_points(given.points, item.max_points)
        except core.PointsError as error:
            errors[pk] = _point_message(error.code, item.max_points)
    overall_error = ""
    if submit and require_comments:
        for pk in rubric:
            given = items.get(pk)
            if given is None or not given.comment.strip():
                comment_errors[pk] = _("Write a comment on this item.")
        if not (overall_comment or "").strip():
            overall_error = _("Write an overall comment.")
    if errors or comment_errors or overall_error:
        raise ScoringError(
            _("Some scores need correcting."),
            code="invalid",
            errors=errors,
            comment_errors=comment_errors,
            overall_error=overall_error,
        )
    with transaction.atomic():
        sheet, _created = ScoreSheet.objects.select_for_update().get_or_create(
            application=application, stage=stage, scorer=scorer
        )
        if sheet.state == SheetState.SUBMITTED:
            raise ScoringError(
                _("This score sheet has been submitted and is locked."), code="locked"
            )
        if expected_version is not None and sheet.version != expected_version:
            raise ScoringError(
                _("This sheet was saved elsewhere in the meantime. Reload it and try again."),
                code="stale",
            )
        given_pks = [pk for pk in rubric if pk in items]
        total = core.sheet_total([items[pk].points for pk in given_pks])
        ItemScore.objects.filter(sheet=sheet).delete()
        ItemScore.objects.bulk_create(
            ItemScore(
                sheet=sheet,
                rubric_item_id=pk,
                points=items[pk].points,
                comment=items[pk].comment.strip(),
            )
            for pk in given_pks
        )
        sheet.total = total
        if overall_comment is not None:
            sheet.overall_comment = overall_comment.strip()
        sheet.version += 1
        sheet.save()
        data = {"sheet": sheet.pk, "stage": stage, "total": str(total)}
        if not submit:
            record(action="score.save", actor=scorer, target=application, data=data, ip=ip)
            return sheet
        return apply(
            SHEET,
            sheet,
            target=SheetState.SUBMITTED,
            actor=scorer,
            actors=lambda locked: {"scorer"} if locked.scorer_id == scorer.pk else set(),
            ip=ip,
            now=now,
            update=_mark_submitted,
            data=data,
            refusal_message=lambda code, _locked: refusal_message(code, SheetState.SUBMITTED),
            journal_target=lambda _locked: application,
        )


def _mark_submitted(sheet: ScoreSheet, move: Move) -> None:
    sheet.submitted_at = move.now


def reopen_sheet(*, sheet: ScoreSheet, by: User, reason: str, ip: str | None = None) -> ScoreSheet:
    """Unlock a submitted sheet for its scorer (the admin's act, with a reason). The sheet as it
    was submitted is kept as a SheetVersion and named in the audit entry."""

    def keep_version(locked: ScoreSheet, move: Move) -> None:
        items = [
            {
                "item": score.rubric_item_id,
                "position": score.rubric_item.position,
                "title": score.rubric_item.title,
                "points": str(score.points),
                "comment": score.comment,
            }
            for score in locked.items.select_related("rubric_item")
        ]
        old = SheetVersion.objects.create(
            sheet=locked,
            version=locked.version,
            total=locked.total,
            overall_comment=locked.overall_comment,
            items=items,
            submitted_at=locked.submitted_at,
            reopened_by=by,
            reason=move.reason,
        )
        move.data.update(
            {
                "sheet": locked.pk,
                "stage": locked.stage,
                "scorer": locked.scorer_id,
                "kept_version": old.pk,
                "total": str(old.total),
            }
        )
        locked.submitted_at = None
        locked.version += 1

    return apply(
        SHEET,
        sheet,
        target=SheetState.DRAFT,
        actor=by,
        actors=lambda _locked: {"admin"} if is_admin(by) else set(),
        reason=reason,
        ip=ip,
        related=("application",),
        update=keep_version,
        refusal_message=lambda code, _locked: refusal_message(code, SheetState.DRAFT),
        journal_target=lambda locked: locked.application,
        update_fields=["state", "submitted_at", "version", "updated_at"],
    )


def submitted_sheets(application: Application, stage: SheetStage) -> QuerySet[ScoreSheet]:
    return ScoreSheet.objects.filter(
        application=application, stage=stage, state=SheetState.SUBMITTED
    )


def aggregate_for(application: Application, stage: SheetStage) -> Decimal | None:
    totals = list(submitted_sheets(application, stage).values_list("total", flat=True))
    edition = application.edition
    return core.aggregate(totals, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts)
