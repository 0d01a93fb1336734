"""The shared form pieces (banzu.core.forms): a share typed as a percentage, our empty choice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from banzu.core.forms import PercentField, PlainWordsMixin


class ThresholdForm(PlainWordsMixin, forms.Form):
    share = PercentField(label="Share")
    kind = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], required=False)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("30", Decimal("0.300")), ("12.5", Decimal("0.125")), ("30%", Decimal("0.300"))],
)
def test_percent_typed_is_stored_as_a_fraction(typed, stored):
    form = ThresholdForm({"share": typed})

    assert form.is_valid() is True
    assert form.cleaned_data["share"] == stored


def test_percent_shows_the_stored_fraction_as_percent():
    html = str(ThresholdForm(initial={"share": Decimal("0.300")})["share"])

    assert 'value="30"' in html
    assert 'max="100"' in html


def test_percent_above_100_refused():
    form = ThresholdForm({"share": "130"})

    assert form.errors == {"share": ["Ensure this value is less than or equal to 100."]}


def test_empty_choice_reads_choose():
    assert list(ThresholdForm().fields["kind"].choices) == [("", "Choose…"), ("a", "A")]
