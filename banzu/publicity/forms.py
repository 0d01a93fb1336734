from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.publicity.models import ObjectionState, ObjectorKind


def _days(text: str) -> frozenset[date]:
    out = set()
    for token in text.replace(",", " ").split():
        try:
            out.add(date.fromisoformat(token))
        except ValueError as wrong:
            raise forms.ValidationError(
                _("%(value)s is not a date (YYYY-MM-DD)."), params={"value": token}
            ) from wrong
    return frozenset(out)


class OpenForm(forms.Form):
    starts_on = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    working_days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=30)
    extra_holidays = forms.CharField(
        label=_("Additional days off (YYYY-MM-DD, separated by spaces)"),
        required=False,
        help_text=_("Only for a period the holiday calendar does not know yet."),
    )
    extra_workdays = forms.CharField(
        label=_("Additional working days (调休, YYYY-MM-DD)"), required=False
    )
    covered_until = forms.DateField(
        label=_("Your entry holds up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_extra_holidays(self) -> frozenset[date]:
        return _days(self.cleaned_data["extra_holidays"])

    def clean_extra_workdays(self) -> frozenset[date]:
        return _days(self.cleaned_data["extra_workdays"])


class ObjectionForm(forms.Form):
    objector_kind = forms.ChoiceField(
        label=_("Filed by"), choices=ObjectorKind.choices, widget=forms.RadioSelect
    )
    real_name = forms.CharField(
        label=_("Real name"),
        max_length=100,
        error_messages={
            "required": _("Anonymous objections are not accepted: give your real name.")
        },
    )
    organisation = forms.CharField(
        label=_("Organisation (for an individual: where you work)"), max_length=200, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40)
    email = forms.EmailField(label=_("E-mail"))
    application = forms.TypedChoiceField(label=_("Team concerned"), coerce=int)
    grounds = forms.CharField(label=_("Grounds"), widget=forms.Textarea, max_length=10000)
    letter = forms.FileField(
        label=_("Stamped letter of the organisation (PDF, JPEG or PNG)"), required=False
    )

    def __init__(self, *args: Any, teams: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["application"].choices = [("", "—"), *teams]  # type: ignore[attr-defined]


class LookupForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt number"), max_length=19)
    email = forms.EmailField(label=_("E-mail"))


class DecisionForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in ObjectionState.choices if c[0] != ObjectionState.RECEIVED],
    )
    reply = forms.CharField(
        label=_("Written reply (mailed to the objector)"), widget=forms.Textarea
    )


class NotesForm(forms.Form):
    admin_notes = forms.CharField(label=_("Notes"), widget=forms.Textarea, required=False)


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the disqualification"), widget=forms.Textarea)


class PublishForm(forms.Form):
    notice_number = forms.CharField(
        label=_("Commendation notice number"),
        max_length=100,
        help_text=_(
            "As printed on the notice and on every certificate, e.g. 浙建质协〔2026〕15号."
        ),
    )
    notice_date = forms.DateField(
        label=_("Date of the notice"), widget=forms.DateInput(attrs={"type": "date"})
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the list: publishing is final, and every listed team is told by mail."
        )
    )
