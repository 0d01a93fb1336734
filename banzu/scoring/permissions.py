"""Who may see a score sheet: its scope helper (404 outside the user's scope)."""

from __future__ import annotations

from banzu.accounts.models import User
from banzu.core import hooks
from banzu.core.access import deny, is_admin, is_recommender_staff
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet


def get_sheet_for_user_or_404(user: User, pk: int, *, ip: str | None = None) -> ScoreSheet:
    """A submitted score sheet, for the admin, its scorer, and the staff of the recommender whose
    own preliminary sheet it is. Applicants never see a sheet; nobody sees another's draft.
    A later stage may withhold a sheet from its scorer (the review: an expert taken off)."""
    sheet = (
        ScoreSheet.objects.select_related(
            "application__edition", "application__team__enterprise", "scorer"
        )
        .filter(pk=pk, state=SheetState.SUBMITTED)
        .first()
    )
    if sheet is None or not user.is_authenticated or not user.is_active:
        raise deny(user, "score sheet", pk, ip=ip)
    if is_admin(user):
        return sheet
    if sheet.scorer_id == user.pk and not hooks.answered_yes(
        hooks.sheet_withheld_from_scorer, ScoreSheet, sheet=sheet
    ):
        return sheet
    if (
        is_recommender_staff(user)
        and sheet.stage == SheetStage.RECOMMENDER
        and sheet.application.recommender_id == user.recommender_id
    ):
        return sheet
    raise deny(user, "score sheet", pk, ip=ip)
