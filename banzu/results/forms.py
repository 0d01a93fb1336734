"""The admin's results forms: the edition's results settings with how its award tiers are
assigned and the tiers themselves (validated together: the tiers' figures depend on the award
mode), and the reason for sealing a version.

The award mode and the tiers are the edition's (banzu.editions: Edition.award_mode and its
AwardTier rows), under the edition page's rules: this page edits the same ones."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.editions import services as editions
from banzu.editions.enums import AwardMode
from banzu.editions.forms import AwardTierFormSetClass, add_service_error
from banzu.editions.models import AwardTier, Edition
from banzu.results.models import ResultsSettings

actions.register("results.settings_updated")


class SettingsForm(forms.ModelForm):
    award_mode = forms.ChoiceField(
        label=capfirst(Edition._meta.get_field("award_mode").verbose_name),
        choices=AwardMode.choices,
        widget=forms.RadioSelect,
    )

    class Meta:
        model = ResultsSettings
        fields = [
            "tie_rule",
            "award_mode",
            "non_presenter_tier",
            "room_award",
            "notice_ranked",
            "show_scores_in_publicity",
            "show_comments_to_applicants",
            "publicity_working_days",
        ]
        widgets = {"tie_rule": forms.RadioSelect}

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["award_mode"].initial = edition.award_mode


def _tier_record(tier: AwardTier) -> dict[str, Any]:
    return {
        "name": tier.name,
        "quota": tier.quota,
        "min_score": None if tier.min_score is None else str(tier.min_score),
        "share_percent": None if tier.share_percent is None else str(tier.share_percent),
    }


class SettingsPage:
    """The settings page: the settings form and the edition's tiers, validated together."""

    def __init__(self, data: Any | None, *, settings: ResultsSettings) -> None:
        self.settings = settings
        self.edition = settings.edition
        self.form = SettingsForm(data, instance=settings, edition=self.edition)
        self.tiers = AwardTierFormSetClass(
            data,
            instance=self.edition,
            prefix="tiers",
            queryset=AwardTier.objects.filter(edition=self.edition).order_by("position"),
        )

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        self.tiers.award_mode = self.form.cleaned_data["award_mode"] if form_valid else None
        tiers_valid = self.tiers.is_valid()
        return form_valid and tiers_valid

    def save(self, *, by: User, ip: str | None = None) -> ResultsSettings | None:
        """Save the settings, the award mode and the tiers; None, with the refusal on the form,
        when the edition's rules refuse the tiers after all (another admin changed them)."""
        award_mode = self.form.cleaned_data["award_mode"]
        try:
            with transaction.atomic():
                settings: ResultsSettings = self.form.save()
                changes = editions.set_award_tiers(
                    edition=self.edition, award_mode=award_mode, tiers=self.tiers.rows()
                )
                record(
                    action="results.settings_updated",
                    actor=by,
                    target=settings,
                    data={
                        "edition": self.edition.year,
                        "fields": sorted(self.form.changed_data),
                        "award_mode": award_mode,
                        "tier_changes": changes,
                        "tiers": [
                            _tier_record(tier)
                            for tier in AwardTier.objects.filter(edition=self.edition).order_by(
                                "position"
                            )
                        ],
                    },
                    ip=ip,
                )
        except ValidationError as error:
            add_service_error(self.form, error)
            return None
        return settings


class SealForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for this version"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Required from the second version on: an upheld objection, a reopened sheet."
        ),
    )
