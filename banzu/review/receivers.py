"""The review's answers to the earlier stages' hooks (banzu.core.hooks), connected in
ReviewConfig.ready()."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from banzu.core import hooks
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage
from banzu.scoring.models import ScoreSheet


@receiver(hooks.sheet_withheld_from_scorer, dispatch_uid="review.expert_taken_off")
def expert_taken_off(sender: type, *, sheet: ScoreSheet, **kwargs: Any) -> bool:
    """An expert's sheet stays theirs only while they review the application."""
    if sheet.stage != SheetStage.MATERIALS:
        return False
    return not (
        Assignment.objects.active()
        .filter(application_id=sheet.application_id, expert_id=sheet.scorer_id)
        .exists()
    )
