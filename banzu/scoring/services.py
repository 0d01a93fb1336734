"""Writes to score sheets. A submitted sheet is locked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.applications.models import Application
from banzu.audit.services import record
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ItemScore, ScoreSheet


class ScoringError(Exception):
    def __init__(self, message: str, *, code: str = "", errors: dict[int, str] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.errors = errors or {}  # rubric item id -> message


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
    scorer: Any,
    stage: SheetStage,
    items: dict[int, ItemInput],
    expected_version: int | None,
    submit: bool = False,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> ScoreSheet:
    """Save (and with submit=True lock) the scorer's sheet. Every rubric item is required."""
    rubric = {item.pk: item for item in application.edition.rubric_items.all()}
    errors: dict[int, str] = {}
    for pk, item in rubric.items():
        given = items.get(pk)
        if given is None:
            errors[pk] = _("Give a score for this item.")
            continue
        try:
            core.check_points(given.points, item.max_points)
        except core.PointsError as error:
            errors[pk] = _point_message(error.code, item.max_points)
    if errors:
        raise ScoringError(_("Some scores need correcting."), code="invalid", errors=errors)
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
        total = core.sheet_total([items[pk].points for pk in rubric])
        ItemScore.objects.filter(sheet=sheet).delete()
        ItemScore.objects.bulk_create(
            ItemScore(
                sheet=sheet,
                rubric_item_id=pk,
                points=items[pk].points,
                comment=items[pk].comment.strip(),
            )
            for pk in rubric
        )
        sheet.total = total
        sheet.version += 1
        if submit:
            sheet.state = SheetState.SUBMITTED
            sheet.submitted_at = now or timezone.now()
        sheet.save()
        record(
            action="score.submit" if submit else "score.save",
            actor=scorer,
            target=application,
            data={"sheet": sheet.pk, "stage": stage, "total": str(total)},
            ip=ip,
        )
    return sheet


def submitted_sheets(application: Application, stage: SheetStage) -> QuerySet[ScoreSheet]:
    return ScoreSheet.objects.filter(
        application=application, stage=stage, state=SheetState.SUBMITTED
    )


def aggregate_for(application: Application, stage: SheetStage) -> Decimal | None:
    totals = list(submitted_sheets(application, stage).values_list("total", flat=True))
    edition = application.edition
    return core.aggregate(totals, rule=edition.aggregation_rule, trim_min=edition.trim_min_experts)
