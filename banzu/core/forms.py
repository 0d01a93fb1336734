"""Form pieces every stage shares: our own words where Django's stock ones read badly in Chinese,
a percent field for shares stored as fractions, and a searchable choice among many names.

Django's stock texts are translated word by word into Chinese: "---------" as the empty choice,
"输入一个有效的 Email 地址。" for a mistyped address. `PlainWordsMixin` puts ours in their place on
every field of a form; `plain_words` does it for one field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

CHOOSE = _("Choose…")
EMAIL_INVALID = _("Enter an e-mail address such as name@example.com.")
STOCK_EMPTY_LABEL = BLANK_CHOICE_DASH[0][1]


def plain_words(field: forms.Field) -> None:
    """Our empty choice and our e-mail message on one field (in place)."""
    if isinstance(field, forms.EmailField):
        field.error_messages["invalid"] = EMAIL_INVALID
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label == STOCK_EMPTY_LABEL:
            field.empty_label = CHOOSE
    elif isinstance(field, forms.ChoiceField):
        choices = list(cast("Iterable[tuple[Any, Any]]", field.choices))
        if any(label == STOCK_EMPTY_LABEL for _value, label in choices):
            field.choices = [
                (value, CHOOSE if label == STOCK_EMPTY_LABEL else label) for value, label in choices
            ]


class PlainWordsMixin:
    """Put before forms.Form or forms.ModelForm in a form's bases."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            plain_words(field)


class PercentField(forms.DecimalField):
    """A share stored as a fraction (0.300) and shown and typed as a percentage (30). The form
    field's value is the fraction; the user sees and types percent (the widget says so)."""

    def __init__(self, *, fraction_places: int = 3, **kwargs: Any) -> None:
        # A fraction with n places is a percentage with n - 2.
        self.fraction_places = fraction_places
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        kwargs.pop("min_value", None)
        kwargs.pop("max_value", None)
        super().__init__(
            min_value=Decimal(0),
            max_value=Decimal(100),
            decimal_places=max(fraction_places - 2, 0),
            **kwargs,
        )
        self.widget.attrs["inputmode"] = "decimal"

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
            percent = Decimal(str(value)) * 100
            return _plain(percent)
        return value

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = value.strip().removesuffix("%").removesuffix("％").strip()
        percent: Decimal | None = super().to_python(value)
        return percent

    def clean(self, value: Any) -> Decimal | None:
        percent: Decimal | None = super().clean(value)
        if percent is None:
            return None
        try:
            return (percent / 100).quantize(Decimal(1).scaleb(-self.fraction_places))
        except InvalidOperation as error:  # pragma: no cover - bounded by max_value
            raise ValidationError(self.error_messages["invalid"], code="invalid") from error

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            typed = self.clean(data)
        except ValidationError:
            return True
        known = None if initial in (None, "") else Decimal(str(initial))
        return typed != known


def _plain(value: Decimal) -> str:
    """30.000 → "30", 12.500 → "12.5": a percentage as a person writes it."""
    return format(value.normalize(), "f")


class DatalistInput(forms.TextInput):
    """A text input with a <datalist> of its field's choices: the browser offers the names that
    contain what one types, with no script (a Content Security Policy forbids inline ones)."""

    choices: Any = ()

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id') or name}_options"
        attrs = {**(attrs or {}), "list": list_id, "autocomplete": "off"}
        field = super().render(name, value, attrs, renderer)
        labels = [(str(label),) for choice, label in self.choices if choice not in ("", None)]
        options = format_html_join("", '<option value="{}"></option>', labels)
        return format_html('{}<datalist id="{}">{}</datalist>', field, list_id, options)


class SearchableModelChoiceField(forms.ModelChoiceField):
    """A choice among many objects by name (the enterprises): typed with the datalist's help,
    and it must be one of them exactly. The objects' str() is their `to_field_name`."""

    widget = DatalistInput
    default_error_messages = {
        "invalid_choice": _("There is no such name in the list: choose one of those offered.")
    }

    def __init__(self, queryset: Any, *, name_field: str = "name", **kwargs: Any) -> None:
        kwargs.pop("to_field_name", None)  # a foreign key's formfield() passes its own ("id")
        kwargs.setdefault("empty_label", None)
        super().__init__(queryset, to_field_name=name_field, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        # A model form's initial value is the primary key: show the name.
        if isinstance(value, int) and not isinstance(value, bool):
            assert self.to_field_name is not None
            assert self.queryset is not None
            found = self.queryset.filter(pk=value).values_list(self.to_field_name, flat=True)
            return next(iter(found), "")
        return super().prepare_value(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = " ".join(value.split())
        return super().to_python(value)


# The one confirmation of an irreversible step (recommend, decline, return, submit a batch or a
# score sheet): templates/includes/_confirm.html shows what follows beside a box named CONFIRMED;
# the server refuses the step unless the box came ticked, so it holds without JavaScript.
CONFIRMED = "confirmed"
CONFIRMED_VALUE = "yes"
NOT_CONFIRMED = _("Tick the box to confirm this step; nothing was changed.")


def is_confirmed(data: Mapping[str, Any]) -> bool:
    """Whether the posted form carries the ticked confirmation box."""
    return data.get(CONFIRMED) == CONFIRMED_VALUE
