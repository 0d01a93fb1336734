"""The provincial admin's edition forms: the edition, its rubric, its presentation score sheet
and its award tiers.

The rules themselves live in banzu.editions.services; these forms parse input and put each
rule's message next to the field it concerns.
"""

from __future__ import annotations

import abc
import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet, inlineformset_factory, model_to_dict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from banzu.editions import services
from banzu.editions.enums import AggregationRule, AwardMode, PresentationSheetSource
from banzu.editions.models import AwardTier, Edition, PresentationItem, RubricItem
from banzu.editions.services import (
    EDITION_FIELDS,
    MAX_POSITION,
    PRESENTATION_ATTRS,
    RUBRIC_ATTRS,
    TIER_ATTRS,
    PresentationRow,
    RubricRow,
    TierRow,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _model_field(name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", Edition._meta.get_field(name))


def _label(name: str) -> Any:
    return capfirst(_model_field(name).verbose_name)


def _help(name: str) -> Any:
    return _model_field(name).help_text


class ShanghaiDateTimeField(forms.DateTimeField):
    """A datetime-local input read and shown as Zhejiang wall-clock time, seconds included
    (the 2026 deadline is 23:59:59)."""

    widget = forms.DateTimeInput(
        attrs={"type": "datetime-local", "step": "1"}, format="%Y-%m-%dT%H:%M:%S"
    )

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(SHANGHAI):
            return super().prepare_value(value)

    def to_python(self, value: Any) -> dt.datetime | None:
        with timezone.override(SHANGHAI):
            return super().to_python(value)


class EditionForm(forms.Form):
    """The edition's own fields. A plain form: the service validates the model and its
    constraints (one current edition) after un-marking the previous current one."""

    year = forms.IntegerField(label=_label("year"), min_value=2000, max_value=2999)
    title = forms.CharField(label=_label("title"), max_length=200)
    notice_number = forms.CharField(
        label=_label("notice_number"),
        max_length=50,
        help_text=_("As printed on the notice, e.g. 浙工质协〔2026〕4号."),
    )
    notice_date = forms.DateField(
        label=_label("notice_date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    registration_opens_at = ShanghaiDateTimeField(
        label=_label("registration_opens_at"),
        help_text=_("Beijing time."),
    )
    recommendation_deadline = ShanghaiDateTimeField(
        label=_label("recommendation_deadline"),
        help_text=_(
            "Beijing time. Applicants and recommenders must submit before this moment; for "
            "“before 27 April” enter 27 April, 23:59:59."
        ),
    )
    materials_weight = forms.IntegerField(
        label=_label("materials_weight"),
        min_value=0,
        max_value=100,
        initial=80,
        help_text=_("Share of the total score, in points out of 100."),
    )
    presentation_weight = forms.IntegerField(
        label=_label("presentation_weight"),
        min_value=0,
        max_value=100,
        initial=20,
        help_text=_("Materials weight plus presentation weight is 100."),
    )
    aggregation_rule = forms.ChoiceField(
        label=_label("aggregation_rule"),
        choices=AggregationRule.choices,
        initial=AggregationRule.TRIMMED_MEAN,
    )
    trim_min_experts = forms.IntegerField(
        label=_label("trim_min_experts"),
        min_value=3,
        max_value=99,
        initial=5,
        help_text=_("Used with the trimmed mean: from this many experts on, drop one of each."),
    )
    award_mode = forms.ChoiceField(
        label=_label("award_mode"), choices=AwardMode.choices, initial=AwardMode.QUOTA
    )
    contacts = forms.CharField(
        label=_label("contacts"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_help("contacts"),
    )
    is_active = forms.BooleanField(
        label=_label("is_active"), required=False, help_text=_help("is_active")
    )

    def clean_contacts(self) -> str:
        lines = str(self.cleaned_data["contacts"]).splitlines()
        return "\n".join(" ".join(line.split()) for line in lines if line.strip())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field, message in services.edition_errors(cleaned).items():
            self.add_error(field, message)
        return cleaned

    def edition_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EDITION_FIELDS}

    @staticmethod
    def initial_for(edition: Edition) -> dict[str, Any]:
        return model_to_dict(edition, fields=list(EDITION_FIELDS))


class EditionCreateForm(EditionForm):
    copy_from = forms.ModelChoiceField(
        label=_("Copy rubric, presentation sheet and award tiers from"),
        queryset=Edition.objects.order_by("-year"),
        required=False,
        empty_label=_("Do not copy: start with an empty rubric"),
        help_text=_("The new edition gets its own copy; later changes do not affect the other."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Next year's edition, built from the current one: the usual case.
            latest = Edition.objects.order_by("-year").first()
            current = Edition.objects.filter(is_active=True).first()
            self.fields["year"].initial = latest.year + 1 if latest else None
            self.fields["copy_from"].initial = current.pk if current else None
            # The copied tiers carry the figures of that edition's award mode.
            if current is not None:
                self.fields["award_mode"].initial = current.award_mode
                # The association's contacts seldom change from one year to the next.
                self.fields["contacts"].initial = current.contacts

    def copy_source(self) -> Edition | None:
        source: Edition | None = self.cleaned_data.get("copy_from")
        return source


class PresentationSourceForm(forms.Form):
    presentation_sheet_source = forms.ChoiceField(
        label=_label("presentation_sheet_source"),
        choices=PresentationSheetSource.choices,
        widget=forms.RadioSelect,
    )


# --- Rubric, presentation sheet and award tiers ---------------------------------------------


def _hint(form: forms.BaseForm, name: str, **attrs: Any) -> None:
    """Browser hints for a number input; the model field's own ones are looser (0 and up)."""
    form.fields[name].widget.attrs.update(attrs)


def _checked_position(position: int) -> int:
    if not 1 <= position <= MAX_POSITION:
        raise ValidationError(_("Enter a number from 1 to %(max)s."), params={"max": MAX_POSITION})
    return position


class _PointsItemForm(forms.ModelForm):
    """An item scored up to a maximum in whole or half points (see models.PointsItem)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _hint(self, "position", min=1, max=MAX_POSITION)
        _hint(self, "max_points", step="0.5", min="0.5", max=100)

    def clean_position(self) -> int:
        return _checked_position(self.cleaned_data["position"])

    def clean_max_points(self) -> Decimal:
        value: Decimal = self.cleaned_data["max_points"]
        if (value * 2) % 1 != 0:
            raise ValidationError(_("Use whole or half points, e.g. 15 or 12.5."))
        return value


class RubricItemForm(_PointsItemForm):
    class Meta:
        model = RubricItem
        fields = list(RUBRIC_ATTRS)
        widgets = {"criteria": forms.Textarea(attrs={"rows": 5})}
        help_texts = {"criteria": _("One sub-criterion a line, verbatim from Attachment 3.")}


class PresentationItemForm(_PointsItemForm):
    class Meta:
        model = PresentationItem
        fields = list(PRESENTATION_ATTRS)
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"text": _("What the experts judge under this item, one point a line.")}


class AwardTierForm(forms.ModelForm):
    class Meta:
        model = AwardTier
        fields = list(TIER_ATTRS)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _hint(self, "position", min=1, max=MAX_POSITION)
        _hint(self, "quota", min=1)
        _hint(self, "min_score", step="0.01", min=0, max=100)
        _hint(self, "share_percent", step="0.01", min=0, max=100)

    def clean_position(self) -> int:
        return _checked_position(self.cleaned_data["position"])

    def clean_quota(self) -> int | None:
        quota: int | None = self.cleaned_data["quota"]
        if quota is not None and quota < 1:
            raise ValidationError(_("Enter at least 1, or leave the field empty."))
        return quota


class _RowsFormSet(abc.ABC, BaseInlineFormSet):
    # The service's row type and the form fields that make one.
    row_type: Any
    attrs: tuple[str, ...]

    def kept_forms(self) -> list[forms.ModelForm]:
        """Valid rows to keep: neither marked for deletion nor extra rows left empty."""
        return [
            form
            for form in self.forms
            if form not in self.deleted_forms
            and (form.instance.pk is not None or form.has_changed())
        ]

    def clean(self) -> None:
        # Our own checks replace the generic "duplicate data" message of model formsets.
        if any(self.errors):
            return
        messages = self.row_errors()
        if messages:
            raise ValidationError(messages)

    def rows(self) -> list[Any]:
        return [
            self.row_type(pk=form.instance.pk, **{n: form.cleaned_data[n] for n in self.attrs})
            for form in self.kept_forms()
        ]

    @abc.abstractmethod
    def row_errors(self) -> list[str]:
        """The rules across this formset's rows, as messages; each formset states its own."""


class RubricFormSet(_RowsFormSet):
    row_type = RubricRow
    attrs = RUBRIC_ATTRS

    def rows(self) -> list[RubricRow]:
        return super().rows()

    def row_errors(self) -> list[str]:
        return services.rubric_errors(self.rows())


class PresentationFormSet(_RowsFormSet):
    """The edition's own presentation items. Their total depends on the source and the weight
    chosen in the page's other forms: the configuration sets them before validating."""

    row_type = PresentationRow
    attrs = PRESENTATION_ATTRS
    source: str | None = None
    weight: int | None = None

    def rows(self) -> list[PresentationRow]:
        return super().rows()

    def row_errors(self) -> list[str]:
        if self.source is None or self.weight is None:
            return []  # the source or the weight is wrong; the page says so there
        return services.presentation_errors(self.rows(), source=self.source, weight=self.weight)


class AwardTierFormSet(_RowsFormSet):
    """The edition's award tiers. What each tier needs depends on the award mode chosen in the
    page's other form (the edition page's or the results settings page's): the page sets it
    before validating; None when that form is invalid."""

    row_type = TierRow
    attrs = TIER_ATTRS
    award_mode: str | None = None

    def rows(self) -> list[TierRow]:
        return super().rows()

    def clean(self) -> None:
        super().clean()
        if self.award_mode is None or any(self.errors):
            return
        kept = self.kept_forms()
        by_row = services.tier_row_errors(award_mode=self.award_mode, rows=self.rows())
        for index, problems in by_row.items():
            for field, message in problems.items():
                kept[index].add_error(field, message)

    def row_errors(self) -> list[str]:
        errors = services.tier_errors(self.rows())
        if self.award_mode is not None:
            errors += services.tier_total_errors(award_mode=self.award_mode, rows=self.rows())
        return errors


FormSetT = TypeVar("FormSetT", bound=_RowsFormSet)


def _formset_class(
    model: type[models.Model],
    form: type[forms.ModelForm],
    formset: type[FormSetT],
    *,
    extra: int,
) -> type[FormSetT]:
    made = inlineformset_factory(
        Edition, model, form=form, formset=formset, extra=extra, can_delete=True
    )
    return cast(type[FormSetT], made)


AwardTierFormSetClass = _formset_class(AwardTier, AwardTierForm, AwardTierFormSet, extra=2)
PresentationFormSetClass = _formset_class(
    PresentationItem, PresentationItemForm, PresentationFormSet, extra=2
)


class EditionConfiguration:
    """The edit page: the edition form, the presentation sheet's source and the inline
    formsets, validated together."""

    def __init__(self, data: Any | None, *, edition: Edition) -> None:
        self.edition = edition
        self.form = EditionForm(data, initial=EditionForm.initial_for(edition))
        existing = edition.rubric_items.count()
        rubric_class = _formset_class(
            RubricItem,
            RubricItemForm,
            RubricFormSet,
            extra=max(2, services.USUAL_RUBRIC_ITEMS - existing),
        )
        self.rubric = rubric_class(data, instance=edition, prefix="rubric")
        self.source = PresentationSourceForm(
            data, initial={"presentation_sheet_source": edition.presentation_sheet_source}
        )
        self.presentation = PresentationFormSetClass(data, instance=edition, prefix="presentation")
        self.tiers = AwardTierFormSetClass(data, instance=edition, prefix="tiers")

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), self.source.is_valid()]
        if all(valid):
            self.presentation.source = self.source.cleaned_data["presentation_sheet_source"]
            self.presentation.weight = self.form.cleaned_data["presentation_weight"]
        if valid[0]:
            self.tiers.award_mode = self.form.cleaned_data["award_mode"]
        valid += [self.rubric.is_valid(), self.presentation.is_valid(), self.tiers.is_valid()]
        return all(valid)

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "fields": self.form.edition_fields(),
            "rubric": self.rubric.rows(),
            "presentation_source": self.source.cleaned_data["presentation_sheet_source"],
            "presentation": self.presentation.rows(),
            "tiers": self.tiers.rows(),
        }

    def add_service_error(self, error: ValidationError) -> None:
        add_service_error(self.form, error)


def add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        known = field in form.fields and field != NON_FIELD_ERRORS
        form.add_error(field if known else None, messages)
