"""Aggregation with its record of kept and dropped sheets, and the weighted share, against an
independent computation in high-precision Decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from decimal import Decimal as D
from fractions import Fraction

from hypothesis import example, given, settings
from hypothesis import strategies as st

from banzu.scoring import core
from banzu.scoring.core import Aggregate, Rule, aggregate, aggregate_sheets, weighted

CENT = Decimal("0.01")


def test_aggregate_sheets_records_which_sheets_were_dropped():
    totals = {11: D("99"), 12: D("50"), 13: D("71"), 14: D("80"), 15: D("70")}

    result = aggregate_sheets(totals, rule=Rule.TRIMMED_MEAN, trim_min=5)

    assert result == Aggregate(
        score=D("73.67"), kept=(13, 14, 15), dropped=(12, 11), exact=Fraction(221, 3)
    )


def test_aggregate_sheets_drops_the_smallest_key_among_equal_extremes():
    totals = {5: D("90"), 4: D("60"), 3: D("90"), 2: D("70"), 1: D("60")}

    result = aggregate_sheets(totals, rule=Rule.TRIMMED_MEAN, trim_min=5)

    assert (result.dropped, result.kept, result.score) == ((1, 3), (2, 4, 5), D("73.33"))


def test_aggregate_sheets_of_equal_totals_drops_two_different_sheets():
    totals = dict.fromkeys((7, 3, 9, 5, 8), D("80"))

    result = aggregate_sheets(totals, rule=Rule.TRIMMED_MEAN, trim_min=5)

    assert (result.dropped, result.kept, result.score) == ((3, 5), (7, 8, 9), D("80.00"))


def test_aggregate_sheets_below_trim_min_keeps_every_sheet():
    totals = {1: D("50"), 2: D("70"), 3: D("80"), 4: D("99")}

    result = aggregate_sheets(totals, rule=Rule.TRIMMED_MEAN, trim_min=5)

    assert result == Aggregate(
        score=D("74.75"), kept=(1, 2, 3, 4), dropped=(), exact=Fraction(299, 4)
    )


def test_aggregate_sheets_of_nothing_is_empty():
    assert aggregate_sheets({}, rule=Rule.MEAN, trim_min=5) == Aggregate(
        score=None, kept=(), dropped=(), exact=None
    )


def test_weighted_rounds_once_at_the_end():
    # Mean 240.5 / 3 = 80.1666…: 80 % of it is 64.1333… → 64.13, where 80 % of the rounded
    # score 80.17 would give 64.136 → 64.14.
    result = aggregate_sheets({1: D("80"), 2: D("80"), 3: D("80.5")}, rule=Rule.MEAN, trim_min=5)

    assert (result.score, core.weighted_share(result, 80)) == (D("80.17"), D("64.13"))


def test_weighted_rounds_an_exact_tie_half_up():
    # 641/8 × 20/100 = 16.025 exactly: half up gives 16.03 (binary floats give 16.02).
    assert weighted(Fraction(641, 8), 20) == D("16.03")


def test_weighted_share_of_an_empty_aggregate_is_none():
    assert core.weighted_share(aggregate_sheets({}, rule=Rule.MEAN, trim_min=5), 80) is None


# --- properties -------------------------------------------------------------------------------

sheets = st.dictionaries(
    st.integers(1, 10_000),
    st.integers(0, 200).map(lambda half_points: D(half_points) / 2),
    max_size=9,
)


def decimal_mean(values: list[Decimal], weight: int = 100) -> Decimal:
    """The weighted mean rounded half up, computed independently at 60 significant digits.

    Multiplied before the one division: dividing first would round a repeating quotient (853/52)
    and turn an exact tie such as 4.265 into 4.2649…, which rounds the wrong way."""
    with localcontext() as context:
        context.prec = 60
        mean = sum(values, Decimal(0)) * weight / (len(values) * 100)
        return mean.quantize(CENT, rounding=ROUND_HALF_UP)


@settings(max_examples=300, deadline=None)
@given(sheets, st.sampled_from(list(Rule)), st.integers(3, 7))
def test_aggregate_sheets_properties(totals, rule, trim_min):
    result = aggregate_sheets(totals, rule=rule, trim_min=trim_min)

    assert sorted(result.kept + result.dropped) == sorted(totals)
    assert list(result.kept) == sorted(result.kept)
    assert aggregate(list(totals.values()), rule=rule, trim_min=trim_min) == result.score
    if not totals:
        assert (result.score, result.exact) == (None, None)
        return
    if rule == Rule.TRIMMED_MEAN and len(totals) >= trim_min:
        lowest, highest = result.dropped
        assert totals[lowest] == min(totals.values())
        assert totals[highest] == max(totals.values())
        assert lowest != highest
    else:
        assert result.dropped == ()
    kept = [totals[key] for key in result.kept]
    assert result.exact == sum(map(Fraction, kept), Fraction(0)) / len(kept)
    assert result.score == decimal_mean(kept)
    assert min(totals.values()) <= result.score <= max(totals.values())
    assert result.exact is not None
    assert weighted(result.exact, 80) == decimal_mean(kept, 80)
    assert weighted(result.exact, 100) == result.score


@settings(max_examples=200, deadline=None)
@given(
    st.fractions(min_value=0, max_value=100, max_denominator=1000),
    st.integers(0, 100),
)
@example(Fraction(853, 52), 26)  # an exact tie, 4.265, behind a repeating quotient
def test_weighted_matches_decimal_rounding_at_high_precision(exact, weight):
    with localcontext() as context:
        context.prec = 60
        # One division, last, so that a tie stays exactly a tie (see decimal_mean).
        expected = (Decimal(exact.numerator) * weight / (exact.denominator * 100)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )

    assert weighted(exact, weight) == expected
