"""The admin's results forms: the edition's results settings with its award tiers (validated
together: the tiers' figures depend on the tier mode), and the reason for sealing a version."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db import transaction
from django.db.models import F
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.editions.enums import AwardMode
from banzu.editions.models import AwardTier, Edition
from banzu.results.enums import TierMode
from banzu.results.models import ResultsSettings

actions.register("results.settings_updated")

TIER_FIELDS = ("position", "name", "quota", "min_score", "share_percent")
_PARKED = 100_000  # positions are moved out of the way while the tiers are renumbered


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ResultsSettings
        fields = [
            "tie_rule",
            "tier_mode",
            "non_presenter_tier",
            "room_award",
            "notice_ranked",
            "show_scores_in_publicity",
            "show_comments_to_applicants",
            "publicity_working_days",
        ]
        widgets = {
            "tie_rule": forms.RadioSelect,
            "tier_mode": forms.RadioSelect,
        }


class TierForm(forms.ModelForm):
    class Meta:
        model = AwardTier
        fields = list(TIER_FIELDS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].widget.attrs.update(min=1, max=99)
        self.fields["quota"].widget.attrs.update(min=1)
        for name in ("min_score", "share_percent"):
            self.fields[name].widget.attrs.update(step="0.01", min=0, max=100)

    def clean_position(self) -> int:
        position = cast(int, self.cleaned_data["position"])
        if not 1 <= position <= 99:
            raise forms.ValidationError(_("Enter an order from 1 to 99."))
        return position

    def clean_quota(self) -> int | None:
        quota = cast("int | None", self.cleaned_data["quota"])
        if quota is not None and quota < 1:
            raise forms.ValidationError(_("Enter at least 1, or leave the field empty."))
        return quota


class BaseTierFormSet(BaseInlineFormSet):
    def kept_forms(self) -> list[forms.ModelForm]:
        """The tiers to keep: neither marked for deletion nor extra rows left empty."""
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk is not None or form.has_changed())
        ]

    # The settings form's tier mode, set before validating; None when that form is invalid.
    tier_mode: str | None = None

    def clean(self) -> None:
        if any(self.errors):
            return
        kept = sorted(self.kept_forms(), key=lambda form: form.cleaned_data["position"])
        positions = Counter(form.cleaned_data["position"] for form in kept)
        twice = sorted(position for position, count in positions.items() if count > 1)
        if twice:
            raise forms.ValidationError(
                _("Two award tiers have the same order: %(numbers)s.")
                % {"numbers": ", ".join(str(number) for number in twice)}
            )
        if self.tier_mode is None:
            return
        by_row, across = tier_problems(self.tier_mode, [form.cleaned_data for form in kept])
        for index, problems in by_row.items():
            for name, message in problems.items():
                kept[index].add_error(name, message)
        if across:
            raise forms.ValidationError(across)


TierFormSet = cast(
    type[BaseTierFormSet],
    inlineformset_factory(
        Edition, AwardTier, form=TierForm, formset=BaseTierFormSet, extra=2, can_delete=True
    ),
)


def tier_problems(mode: str, rows: list[dict[str, Any]]) -> tuple[dict[int, dict[str, str]], str]:
    """What the tier mode needs of the tiers (`rows`: their cleaned data, highest tier first):
    problems by row index and field, and one problem across the tiers (or "")."""
    by_row: dict[int, dict[str, str]] = {}
    across = ""
    if mode == TierMode.QUOTA:
        for index, row in enumerate(rows):
            if row["quota"] is None:
                by_row[index] = {
                    "quota": _("Enter the number of awards: tiers are assigned by rank quota.")
                }
    elif mode == TierMode.THRESHOLD:
        previous: Decimal | None = None
        for index, row in enumerate(rows):
            score = row["min_score"]
            if score is None:
                by_row[index] = {
                    "min_score": _(
                        "Enter the minimum total score: tiers are assigned by score threshold."
                    )
                }
                continue
            if previous is not None and score >= previous:
                by_row[index] = {
                    "min_score": _(
                        "Enter a lower minimum than the tier above (%(above)s): a later tier "
                        "needs a lower score."
                    )
                    % {"above": previous}
                }
            previous = score
    else:
        for index, row in enumerate(rows):
            if row["share_percent"] is None:
                by_row[index] = {
                    "share_percent": _(
                        "Enter the share of the ranked teams: tiers are assigned by share."
                    )
                }
        total = sum((row["share_percent"] or Decimal(0) for row in rows), Decimal(0))
        if total > 100:
            across = _(
                "The tiers' shares add up to %(total)s%%; they can add up to 100%% at most."
            ) % {"total": total.normalize()}
    return by_row, across


class SettingsPage:
    """The settings page: the settings form and the edition's tiers, validated together."""

    def __init__(self, data: Any | None, *, settings: ResultsSettings) -> None:
        self.settings = settings
        self.edition = settings.edition
        self.form = SettingsForm(data, instance=settings)
        self.tiers = TierFormSet(
            data,
            instance=self.edition,
            prefix="tiers",
            queryset=AwardTier.objects.filter(edition=self.edition).order_by("position"),
        )

    def is_valid(self) -> bool:
        form_valid = self.form.is_valid()
        self.tiers.tier_mode = self.form.cleaned_data["tier_mode"] if form_valid else None
        tiers_valid = self.tiers.is_valid()
        return form_valid and tiers_valid

    def save(self, *, by: User, ip: str | None = None) -> ResultsSettings:
        kept = self.tiers.kept_forms()
        deleted = [form.instance.pk for form in self.tiers.deleted_forms if form.instance.pk]
        with transaction.atomic():
            settings: ResultsSettings = self.form.save()
            # The edition page checks its tiers under the edition's award mode: keep it the
            # same where the edition has the mode (it has no shares).
            synced = settings.tier_mode in AwardMode.values and (
                self.edition.award_mode != settings.tier_mode
            )
            if synced:
                self.edition.award_mode = settings.tier_mode
                self.edition.save(update_fields=["award_mode"])
            AwardTier.objects.filter(edition=self.edition, pk__in=deleted).delete()
            AwardTier.objects.filter(edition=self.edition).update(position=F("position") + _PARKED)
            for form in kept:
                tier = form.instance
                tier.edition = self.edition
                for name in TIER_FIELDS:
                    setattr(tier, name, form.cleaned_data[name])
                tier.full_clean()
                tier.save()
            record(
                action="results.settings_updated",
                actor=by,
                target=settings,
                data={
                    "edition": self.edition.year,
                    "fields": sorted(self.form.changed_data),
                    "edition_award_mode": self.edition.award_mode if synced else None,
                    "tiers": [
                        {
                            "name": tier.name,
                            "quota": tier.quota,
                            "min_score": None if tier.min_score is None else str(tier.min_score),
                            "share_percent": None
                            if tier.share_percent is None
                            else str(tier.share_percent),
                        }
                        for tier in AwardTier.objects.filter(edition=self.edition).order_by(
                            "position"
                        )
                    ],
                },
                ip=ip,
            )
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
