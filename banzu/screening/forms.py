from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.core.forms import PercentField
from banzu.screening.enums import EliminationReason
from banzu.screening.models import ScreeningSettings


class DecisionForm(forms.Form):
    PASS = "pass"  # noqa: S105 - a decision, not a password
    ELIMINATE = "eliminate"
    DISQUALIFY = "disqualify"
    decision = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (PASS, _("Pass the screening")),
            (ELIMINATE, _("Eliminate")),
            (DISQUALIFY, _("Disqualify for plagiarism (with the similarity evidence)")),
        ],
        widget=forms.RadioSelect,
    )
    reason_code = forms.ChoiceField(
        label=_("Reason"), choices=[("", "—"), *EliminationReason.choices], required=False
    )
    reason_text = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The enterprise and its recommender read this."),
    )
    confirmation = forms.CharField(
        label=_("Why it passes although its checks are open"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed to pass an application whose automatic checks failed, ask for a look or "
            "have not finished. The journal keeps it with the checks; the enterprise does not "
            "read it."
        ),
    )

    def __init__(self, *args: Any, checks_open: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checks_open = checks_open
        if not checks_open:
            del self.fields["confirmation"]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if (
            self.checks_open
            and data.get("decision") == self.PASS
            and not str(data.get("confirmation", "")).strip()
        ):
            self.add_error(
                "confirmation",
                _("Say why it passes although its automatic checks are not all passed."),
            )
        if data.get("decision") == self.ELIMINATE and not data.get("reason_code"):
            self.add_error("reason_code", _("Choose the reason for the elimination."))
        if data.get("decision") == self.DISQUALIFY and not str(data.get("reason_text", "")).strip():
            self.add_error("reason_text", _("Describe what was copied."))
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ScreeningSettings
        fields = ["copy_ratio_flag", "source_ratio_flag", "word_pdf_agreement", "common_df"]
        # Shares are stored as fractions (0.300) and typed as percentages (30).
        field_classes = dict.fromkeys(
            ("copy_ratio_flag", "source_ratio_flag", "word_pdf_agreement"), PercentField
        )
        help_texts = {
            # xgettext:no-python-format
            "copy_ratio_flag": _("In percent: 30 flags an application 30% copied in all."),
            # xgettext:no-python-format
            "source_ratio_flag": _("In percent: one source at or above it fails the check."),
            # xgettext:no-python-format
            "word_pdf_agreement": _("In percent: below it, the Word and PDF copies differ."),
        }


class BulkPassForm(forms.Form):
    applications = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args: object, choices: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["applications"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = choices
