"""The score sheet form, for the recommender's preliminary sheet and the expert's sheet.

It only parses numbers; the rules (cap, half points, not negative, comments required on
submission) live in banzu.scoring.core and banzu.scoring.services.save_sheet, which answers with
per-item errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from banzu.core.forms import CONFIRMED, NOT_CONFIRMED, is_confirmed
from banzu.editions.models import RubricItem
from banzu.scoring import core
from banzu.scoring.enums import SheetState
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput

OVERALL = "overall_comment"


@dataclass(frozen=True)
class ItemRow:
    """One rubric item with its two bound fields, as the template lays it out."""

    item: RubricItem
    points: forms.BoundField
    comment: forms.BoundField


def points_name(item: RubricItem) -> str:
    return f"points_{item.pk}"


def comment_name(item: RubricItem) -> str:
    return f"comment_{item.pk}"


class ScoreSheetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    action = forms.ChoiceField(
        choices=[("save", _("Save draft")), ("submit", _("Submit"))], required=False
    )

    def __init__(
        self,
        *args: Any,
        rubric: Iterable[RubricItem],
        sheet: ScoreSheet | None,
        read_only: bool = False,
        overall: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rubric = list(rubric)
        saved = {score.rubric_item_id: score for score in sheet.items.all()} if sheet else {}
        if not self.is_bound:
            self.initial["version"] = sheet.version if sheet else 1
        for item in self.rubric:
            # Empty is allowed here: the service answers "give a score" beside the item.
            points = forms.DecimalField(label=_("Points"), required=False)
            points.widget.attrs.update(
                {"min": "0", "max": f"{item.max_points:f}", "step": "0.5", "inputmode": "decimal"}
            )
            comment = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            if read_only:
                points.disabled = comment.disabled = True
            self.fields[points_name(item)] = points
            self.fields[comment_name(item)] = comment
            if item.pk in saved:
                self.initial[points_name(item)] = saved[item.pk].points
                self.initial[comment_name(item)] = saved[item.pk].comment

        # Asked of a submission only (see clean): a draft can always be saved.
        self.fields[CONFIRMED] = forms.BooleanField(required=False, disabled=read_only)

        if overall:
            field = forms.CharField(
                label=_("Overall comment"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 4}),
            )
            field.disabled = read_only
            self.fields[OVERALL] = field
            if sheet is not None:
                self.initial[OVERALL] = sheet.overall_comment

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("action") == "submit" and not is_confirmed(self.data):
            self.add_error(CONFIRMED, NOT_CONFIRMED)
        return cleaned

    def rows(self) -> Iterator[ItemRow]:
        for item in self.rubric:
            yield ItemRow(item, self[points_name(item)], self[comment_name(item)])

    @property
    def submitting(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def items(self) -> dict[int, ItemInput]:
        """The typed scores for save_sheet; an item left empty is left out (and refused)."""
        result: dict[int, ItemInput] = {}
        for item in self.rubric:
            points: Decimal | None = self.cleaned_data.get(points_name(item))
            if points is not None:
                comment = self.cleaned_data.get(comment_name(item)) or ""
                result[item.pk] = ItemInput(points=points, comment=comment)
        return result

    def overall_comment(self) -> str:
        return str(self.cleaned_data.get(OVERALL) or "")

    def add_item_errors(
        self, errors: Mapping[int, str], comment_errors: Mapping[int, str] | None = None
    ) -> None:
        for item in self.rubric:
            if item.pk in errors:
                self.add_error(points_name(item), errors[item.pk])
            if comment_errors and item.pk in comment_errors:
                self.add_error(comment_name(item), comment_errors[item.pk])


def running_total(data: Mapping[str, Any], rubric: Iterable[RubricItem]) -> Decimal:
    """The sum of the points typed so far; anything not a number counts as nothing yet."""
    points = []
    for item in rubric:
        try:
            points.append(Decimal(str(data.get(points_name(item), "")).strip()))
        except (InvalidOperation, ValueError):
            continue
    return core.sheet_total([p for p in points if p.is_finite()]).quantize(Decimal("0.1"))


def saved_message(sheet: ScoreSheet) -> str:
    """What the scorer is told after a save: the computed total, and whether it is now locked."""
    total = f"{sheet.total:.1f}"
    if sheet.state == SheetState.SUBMITTED:
        return gettext("Score sheet submitted with %(total)s points. It is now locked.") % {
            "total": total
        }
    return gettext("Draft saved: %(total)s points.") % {"total": total}
