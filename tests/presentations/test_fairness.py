"""The fairness core without a database: room spreads, room gaps and experts' leniency, exact."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banzu.presentations import fairness
from banzu.review import agreement

D = Decimal


def test_spread_of_a_room_exact_mean_sample_sd_and_range():
    figures = fairness.spread([D("16.50"), D("18.00"), D("19.00")])  # 53.5 / 3 = 17.8333…

    assert figures.n == 3
    assert figures.exact_mean == Fraction(107, 6)
    assert figures.mean == D("17.83")
    # squares: (−4/3)² + (1/6)² + (7/6)² = 64/36 + 1/36 + 49/36 = 114/36; / 2 = 19/12
    assert figures.variance == Fraction(19, 12)
    assert figures.sd == D("1.26")  # √(19/12) = 1.2583…
    assert (figures.low, figures.high) == (D("16.50"), D("19.00"))


def test_spread_of_one_score_has_no_sd_and_of_none_no_mean():
    one = fairness.spread([D("15.25")])
    none = fairness.spread([])

    assert (one.n, one.mean, one.sd, one.low, one.high) == (
        1,
        D("15.25"),
        None,
        D("15.25"),
        D("15.25"),
    )
    assert (none.n, none.mean, none.sd, none.low, none.high) == (0, None, None, None, None)


@pytest.mark.parametrize(
    ("variance", "expected"),
    [
        (Fraction(1, 4), D("0.50")),
        (Fraction(1, 64), D("0.13")),  # √ = 0.125 exactly: the tie goes up
        (Fraction(15624, 1000000), D("0.12")),  # √ = 0.12499…: just below the tie
        (Fraction(0), D("0.00")),
        (Fraction(2), D("1.41")),
        (Fraction(19, 12), D("1.26")),
    ],
)
def test_sqrt_half_up_is_exact_at_the_tie(variance, expected):
    assert fairness.sqrt_half_up(variance) == expected


@given(st.fractions(min_value=0, max_value=10000, max_denominator=10**6))
def test_sqrt_half_up_agrees_with_a_high_precision_root(value):
    from decimal import ROUND_HALF_UP, localcontext

    with localcontext() as context:
        context.prec = 60
        root = (D(value.numerator) / D(value.denominator)).sqrt()
        expected = root.quantize(D("0.01"), rounding=ROUND_HALF_UP)
    assert fairness.sqrt_half_up(value) == expected


def test_gaps_flag_rooms_differing_by_more_than_the_limit_largest_first():
    means = {1: Fraction(1717, 100), 2: Fraction(1550, 100), 3: Fraction(1600, 100), 4: None}

    found = fairness.gaps(means, limit=D("1.50"))

    assert [(gap.higher, gap.lower, gap.difference) for gap in found] == [(1, 2, D("1.67"))]


def test_gaps_compare_the_rounded_difference_so_exactly_the_limit_is_not_flagged():
    # 1.504 rounds to 1.50: the figure shown is not above the limit, so no flag.
    means = {1: Fraction(17504, 1000), 2: Fraction(16, 1)}

    assert fairness.gaps(means, limit=D("1.50")) == []
    assert fairness.gaps(means, limit=D("1.49")) == [fairness.Gap(1, 2, D("1.50"))]


def test_leniency_within_a_room_exact():
    R = fairness.Rating
    ratings = [
        # team 1: e1 18, e2 16, e3 17 → e1: 18 − 16.5 = +1.5; e2: 16 − 17.5 = −1.5; e3: 17 − 17 = 0
        R(1, 1, D("18.0")),
        R(1, 2, D("16.0")),
        R(1, 3, D("17.0")),
        # team 2: e1 15, e2 15.5 → e1: −0.5; e2: +0.5
        R(2, 1, D("15.0")),
        R(2, 2, D("15.5")),
        # team 3: only e3 scored it → compared with no one
        R(3, 3, D("19.0")),
    ]

    found = fairness.leniency(ratings)

    assert found[1] == fairness.Leniency(1, 2, Fraction(1, 2))  # (1.5 − 0.5) / 2
    assert found[2] == fairness.Leniency(2, 2, Fraction(-1, 2))  # (−1.5 + 0.5) / 2
    assert found[3] == fairness.Leniency(3, 1, Fraction(0))
    assert [found[e].mean_deviation for e in (1, 2, 3)] == [D("0.50"), D("-0.50"), D("0.00")]


def test_leniency_of_an_expert_compared_with_no_one_is_none():
    found = fairness.leniency([fairness.Rating(1, 7, D("12.0"))])

    assert found == {7: fairness.Leniency(7, 0, None)}
    assert found[7].mean_deviation is None


def test_leniency_refuses_an_expert_scoring_a_team_twice():
    with pytest.raises(ValueError, match="scored team 1 twice"):
        fairness.leniency([fairness.Rating(1, 7, D("12")), fairness.Rating(1, 7, D("13"))])


halves = st.integers(min_value=0, max_value=40).map(lambda n: D(n) / 2)


@given(st.dictionaries(st.tuples(st.integers(1, 4), st.integers(1, 5)), halves, max_size=20))
def test_leniency_is_the_review_definition_kept_exact(cells):
    ratings = [fairness.Rating(team, expert, total) for (team, expert), total in cells.items()]
    review = agreement.leniency(
        agreement.Rating(application=r.team, expert=r.expert, total=r.total) for r in ratings
    )

    found = fairness.leniency(ratings)

    assert set(found) == set(review)
    for expert, lenient in found.items():
        assert lenient.n == review[expert].n
        if lenient.exact is None:
            assert review[expert].mean_deviation is None
        else:
            assert math.isclose(
                float(lenient.exact), review[expert].mean_deviation or 0.0, abs_tol=1e-12
            )
