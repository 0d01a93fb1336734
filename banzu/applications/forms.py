from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Enterprise, Recommender
from banzu.accounts.validators import normalise_phone
from banzu.applications.enums import DocumentKind, HonourLevel, HonourRecipient
from banzu.applications.messages import duplicate_team_message, team_name_message
from banzu.applications.models import Application
from banzu.applications.rules import team_name_parent_part
from banzu.applications.services import HonourData

PERCENT_FIELDS = (
    "work_completion_rate",
    "quality_pass_rate",
    "first_pass_rate",
    "improvement_participation_rate",
)
COUNT_FIELDS = (
    "member_count",
    "nonconforming_count",
    "accident_count",
    "complaint_count",
    "training_people",
    "training_hours",
)
NARRATIVE_FIELDS = (
    "narrative_team",
    "narrative_management",
    "narrative_skills",
    "narrative_improvement",
    "narrative_results",
    "narrative_honours",
)
FORM_FIELDS = (
    "experience_title",
    "member_count",
    "contact_name",
    "contact_phone",
    *PERCENT_FIELDS,
    "nonconforming_count",
    "accident_count",
    "complaint_count",
    "training_people",
    "training_hours",
    "quality_cost",
    *NARRATIVE_FIELDS,
    "no_accident_declared",
    "originality_pledged",
)


class StartApplicationForm(forms.Form):
    team_name = forms.CharField(
        label=_("Team name"),
        max_length=100,
        help_text=_(
            "The team's own name only, e.g. 钢筋加工班 — without the enterprise or project "
            "department's name (不挂上级单位)."
        ),
    )
    recommender = forms.ModelChoiceField(
        label=_("Recommender"),
        queryset=Recommender.objects.filter(is_active=True),
        empty_label=_("— choose —"),
        help_text=_(
            "Register with the construction association of the city where the project is, "
            "or with your provincial professional association."
        ),
    )

    def __init__(self, *args: Any, enterprise: Enterprise | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.enterprise = enterprise

    def clean_team_name(self) -> str:
        # Checked here as well as in the service, so the first submit reports every problem.
        return clean_team_name(self.cleaned_data["team_name"], self.enterprise)


def clean_team_name(raw: str, enterprise: Enterprise | None) -> str:
    name = " ".join(raw.split())
    if enterprise is not None and (part := team_name_parent_part(name, enterprise.name)):
        raise forms.ValidationError(team_name_message(part), code="team_name")
    return name


class ApplicationForm(forms.ModelForm[Application]):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Not required: a post without it (an older page) keeps the team's name; an emptied one is
    # refused in clean_team_name.
    team_name = forms.CharField(
        label=_("Team name"),
        max_length=100,
        required=False,
        help_text=_(
            "The team's own name only, without the enterprise's or project department's name "
            "(不挂上级单位). You can correct it until you submit."
        ),
    )

    class Meta:
        model = Application
        fields = FORM_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 6}) for name in NARRATIVE_FIELDS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version
            self.initial["team_name"] = self.instance.team.name
        for name in PERCENT_FIELDS:
            field = self.fields[name]
            field.widget.attrs.update(
                {"min": "0", "max": "100", "step": "0.01", "inputmode": "decimal"}
            )
            field.help_text = _("0–100, up to two decimals")
        for name in COUNT_FIELDS:
            field = self.fields[name]
            assert isinstance(field, forms.IntegerField)
            field.min_value = 0
            field.widget.attrs.update({"min": "0", "step": "1", "inputmode": "numeric"})
        self.fields["quality_cost"].widget.attrs.update(
            {"min": "0", "step": "0.01", "inputmode": "decimal"}
        )
        self.fields["quality_cost"].help_text = _("In 10,000 CNY (万元), two decimals")
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel"})
        self.fields["accident_count"].help_text = _(
            "Must be 0: teams with a quality, safety or environmental accident are not eligible."
        )

    def clean_contact_phone(self) -> str:
        return normalise_phone(self.cleaned_data["contact_phone"])

    def clean_team_name(self) -> str:
        team = self.instance.team
        if self.prefix is None and "team_name" not in self.data:
            return team.name
        if not self.cleaned_data["team_name"].strip():
            raise forms.ValidationError(_("Enter the team's name."), code="required")
        name = clean_team_name(self.cleaned_data["team_name"], team.enterprise)
        if (
            name != team.name
            and Application.objects.filter(
                edition_id=self.instance.edition_id,
                team__enterprise_id=team.enterprise_id,
                team__name=name,
            )
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(duplicate_team_message(), code="duplicate")
        return name

    def field_values(self) -> dict[str, Any]:
        """The Attachment 1 fields that are valid as typed: a draft save keeps these even when
        others need correcting."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in FORM_FIELDS if name in cleaned}

    def valid_team_name(self) -> str | None:
        return getattr(self, "cleaned_data", {}).get("team_name")


class HonourForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    title = forms.CharField(label=_("Honour"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=[("", "—"), *HonourLevel.choices])
    recipient = forms.ChoiceField(
        label=_("Awarded to"), choices=[("", "—"), *HonourRecipient.choices]
    )
    recipient_name = forms.CharField(label=_("Member name"), max_length=50, required=False)
    awarded_by = forms.CharField(label=_("Awarded by"), max_length=200)

    def __init__(self, *args: Any, edition_year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        years = range(edition_year, edition_year - 4, -1)
        year_field = self.fields["year"]
        assert isinstance(year_field, forms.TypedChoiceField)
        year_field.choices = [("", "—")] + [(y, str(y)) for y in years]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("recipient") == HonourRecipient.INDIVIDUAL and not data.get("recipient_name"):
            self.add_error("recipient_name", _("Name the member who received this honour."))
        return data

    def as_data(self) -> HonourData:
        d = self.cleaned_data
        return HonourData(
            year=d["year"],
            title=d["title"],
            level=d["level"],
            recipient=d["recipient"],
            recipient_name=d["recipient_name"],
            awarded_by=d["awarded_by"],
        )


class BaseHonourFormSet(forms.BaseFormSet[HonourForm]):
    def honours(self) -> list[HonourData]:
        return [
            form.as_data()
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)  # type: ignore[attr-defined]
        ]


HonourFormSet: type[BaseHonourFormSet] = forms.formset_factory(  # type: ignore[assignment]
    HonourForm, formset=BaseHonourFormSet, extra=2, can_delete=True, max_num=30
)


class UploadForm(forms.Form):
    kind = forms.ChoiceField(choices=DocumentKind.choices, widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"))


class ConfirmForm(forms.Form):
    """An empty form: the POST with its CSRF token is the confirmation."""
