"""Forms of the recommender's review: list filters and reasons (the score sheet form is
banzu.scoring.forms')."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.core.params import MAX_ID
from banzu.recommendations.selectors import RECOMMENDER_STATES, RETURNED_FILTER
from banzu.scoring.forms import ScoreSheetForm

__all__ = ["ListFilterForm", "ReasonForm", "ScoreSheetForm"]

SORT_KEYS = ("team", "enterprise", "industry", "state", "score", "submitted")


class ListFilterForm(forms.Form):
    """The query string of the recommender's list:
    ?recommender=&q=&state=&industry=&sort=(-)key."""

    recommender = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    q = forms.CharField(required=False, max_length=100, strip=True)
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
        state.choices = [("", ""), *state_choices()]

    def param(self, name: str) -> str:
        """The cleaned value, or "" when the parameter is missing or invalid (then ignored)."""
        self.is_valid()
        return str(self.cleaned_data.get(name) or "")


def state_choices() -> list[tuple[str, str]]:
    """The list's status filter: the states, with "returned" after "submitted"."""
    choices = [(str(s.value), str(s.label)) for s in RECOMMENDER_STATES]
    choices.insert(1, (RETURNED_FILTER, str(_("Returned"))))
    return choices


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Please give a reason.")},
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()
