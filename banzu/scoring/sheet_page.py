"""The score sheet page, the same for every scorer (the recommender's preliminary sheet, the
expert's materials sheet): the form bound to the scorer's sheet, the save through the stage's own
service, its per-item refusals beside the items, and the running total."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from banzu.editions.models import RubricItem
from banzu.scoring.forms import OVERALL, ScoreSheetForm, running_total, saved_message
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ScoringError

# The stage's save service, called with the valid form (its items, version and action).
SaveSheet = Callable[[ScoreSheetForm], ScoreSheet]


def sheet_page(
    request: HttpRequest,
    *,
    template: str,
    rubric: list[RubricItem],
    sheet: ScoreSheet | None,
    closed: str,
    save: SaveSheet,
    saved_url: str,
    overall: bool = False,
    context: Callable[[], Mapping[str, Any]],
) -> HttpResponse:
    """GET shows the sheet (read-only when `closed` says why); POST saves it and redirects to
    `saved_url`, or shows the form again with the refusal. `context` gives the page's other
    variables, only when the page is shown."""
    if request.method == "POST":
        form = ScoreSheetForm(request.POST, rubric=rubric, sheet=sheet, overall=overall)
        if form.is_valid() and closed:
            form.add_error(None, closed)
        elif form.is_valid():
            try:
                saved = save(form)
            except ScoringError as error:
                _add_refusal(form, error)
            else:
                messages.success(request, saved_message(saved))
                return redirect(saved_url)
        typed = running_total(request.POST, rubric)
    else:
        form = ScoreSheetForm(rubric=rubric, sheet=sheet, read_only=bool(closed), overall=overall)
        typed = sheet.total if sheet else Decimal("0.0")
    return render(
        request,
        template,
        {
            **context(),
            "form": form,
            "sheet": sheet,
            "closed": closed,
            "rubric_total": sum((item.max_points for item in rubric), Decimal(0)),
            "running_total": typed,
        },
    )


def _add_refusal(form: ScoreSheetForm, error: ScoringError) -> None:
    form.add_item_errors(error.errors, error.comment_errors)
    if error.overall_error and OVERALL in form.fields:
        form.add_error(OVERALL, error.overall_error)
    form.add_error(None, error.message)
