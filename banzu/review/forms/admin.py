"""Forms of the review's admin pages: the edition's review settings and assignment by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.review.models import ReviewSettings
from banzu.review.selectors import pool


class ReviewSettingsForm(forms.ModelForm):
    class Meta:
        model = ReviewSettings
        fields = ["experts_per_application", "spread_flag", "due_at"]
        widgets = {
            "experts_per_application": forms.NumberInput(attrs={"min": 3, "max": 5}),
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class AddExpertForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=pool().none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = pool()
