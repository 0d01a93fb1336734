"""Forms of the recommender's review: list filters, reasons and the preliminary score sheet.

The score sheet form only parses numbers; the rules (cap, half points, not negative) live in
banzu.scoring.core and come back from banzu.scoring.services.save_sheet as per-item errors.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.editions.models import RubricItem
from banzu.recommendations.selectors import RECOMMENDER_STATES
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput

SORT_KEYS = ("team", "enterprise", "industry", "state", "score", "submitted")


class ListFilterForm(forms.Form):
    """The query string of the recommender's list: ?recommender=&state=&industry=&sort=(-)key."""

    recommender = forms.IntegerField(required=False, min_value=1)
    state = forms.ChoiceField(required=False)
    industry = forms.CharField(required=False, max_length=100)
    sort = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in SORT_KEYS] + [(f"-{key}", key) for key in SORT_KEYS],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        state = self.fields["state"]
        assert isinstance(state, forms.ChoiceField)
        state.choices = [("", "")] + [(s.value, s.label) for s in RECOMMENDER_STATES]

    def param(self, name: str) -> str:
        """The cleaned value, or "" when the parameter is missing or invalid (then ignored)."""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please give a reason.")},
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()


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

    def add_item_errors(self, errors: dict[int, str]) -> None:
        for item in self.rubric:
            if item.pk in errors:
                self.add_error(points_name(item), errors[item.pk])
