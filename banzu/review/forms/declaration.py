"""The expert's conflict-of-interest declaration: an explicit answer, never a default."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

NO_CONFLICT = "none"
CONFLICT = "conflict"


class DeclarationForm(forms.Form):
    """Which of the two buttons the expert pressed, and the reason with a conflict. A POST
    without an answer (or with another value) is refused: it is not "no conflict"."""

    answer = forms.ChoiceField(
        choices=[(NO_CONFLICT, NO_CONFLICT), (CONFLICT, CONFLICT)],
        error_messages={
            "required": _("Choose one of the two answers: no conflict, or a conflict."),
            "invalid_choice": _("Choose one of the two answers: no conflict, or a conflict."),
        },
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("answer") == CONFLICT and not cleaned.get("reason"):
            self.add_error("reason", _("Say what the conflict is."))
        return cleaned

    @property
    def conflict(self) -> bool:
        return bool(self.cleaned_data["answer"] == CONFLICT)

    def answer_errors(self) -> list[str]:
        """The answer's refusal, shown above both forms (the page has no field for it)."""
        return [str(error) for error in self.errors.get("answer", [])]
