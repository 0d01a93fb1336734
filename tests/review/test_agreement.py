"""Agreement between experts: spread, leniency and the intraclass correlation, on the published
worked example and on small cases worked out by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banzu.review.agreement import Leniency, Rating, Spread, flagged, icc, leniency, spread

# Shrout & Fleiss (1979), Table 2: six targets (rows) rated by four judges (columns).
SHROUT_FLEISS = (
    (9, 2, 5, 8),
    (6, 1, 3, 2),
    (8, 4, 6, 8),
    (7, 1, 2, 6),
    (10, 5, 6, 9),
    (6, 2, 4, 7),
)


def table(rows: tuple[tuple[int, ...], ...]) -> list[Rating]:
    return [
        Rating(application=target, expert=judge, total=D(value))
        for target, row in enumerate(rows, start=1)
        for judge, value in enumerate(row, start=1)
    ]


# --- spread -----------------------------------------------------------------------------------


def test_spread_uses_the_sample_standard_deviation():
    assert spread([D("80"), D("90"), D("85")]) == Spread(n=3, mean=85.0, sd=5.0, range=D("10"))


def test_spread_of_one_total_has_no_deviation():
    assert spread([D("72.5")]) == Spread(n=1, mean=72.5, sd=0.0, range=D("0"))


def test_spread_of_no_totals_is_refused():
    with pytest.raises(ValueError, match="spread of no totals"):
        spread([])


def test_flagged_when_the_standard_deviation_is_over_the_limit():
    figures = spread([D("80"), D("90"), D("85")])  # sd 5.0

    assert (flagged(figures, sd_above=D("4.9")), flagged(figures, sd_above=D("5"))) == (
        True,
        False,
    )


# --- leniency ---------------------------------------------------------------------------------


def test_leniency_on_the_shrout_fleiss_table():
    result = leniency(table(SHROUT_FLEISS))

    # Judge 1 totals 46 over the six targets, the other three judges 81: on average judge 1
    # gives (46 − 81 / 3) / 6 = 19/6 more than the mean of the others.
    assert result == {
        1: Leniency(expert=1, n=6, mean_deviation=19 / 6),
        2: Leniency(expert=2, n=6, mean_deviation=-67 / 18),
        3: Leniency(expert=3, n=6, mean_deviation=-23 / 18),
        4: Leniency(expert=4, n=6, mean_deviation=11 / 6),
    }


def test_leniency_of_an_expert_without_company_is_none():
    ratings = [
        Rating(application=1, expert=7, total=D("80")),
        Rating(application=1, expert=8, total=D("70")),
        Rating(application=1, expert=9, total=D("75")),
        Rating(application=2, expert=9, total=D("60")),
        Rating(application=3, expert=5, total=D("90")),
    ]

    assert leniency(ratings) == {
        5: Leniency(expert=5, n=0, mean_deviation=None),
        7: Leniency(expert=7, n=1, mean_deviation=7.5),
        8: Leniency(expert=8, n=1, mean_deviation=-7.5),
        9: Leniency(expert=9, n=1, mean_deviation=0.0),
    }


def test_ratings_of_one_expert_twice_on_an_application_are_refused():
    ratings = [Rating(1, 7, D("80")), Rating(1, 7, D("81"))]

    with pytest.raises(ValueError, match="expert 7 rated application 1 twice"):
        leniency(ratings)


# --- intraclass correlation -------------------------------------------------------------------


def test_icc_reproduces_shrout_and_fleiss_table_2():
    """Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. Psychological Bulletin, 86(2), 420–428. Table 2 (six targets, four judges)
    and the worked example: BMS = 11.24, WMS = 6.26, ICC(1,1) = .17, ICC(1,4) = .44."""
    result = icc(table(SHROUT_FLEISS))

    assert result is not None
    assert (round(result.bms, 2), round(result.wms, 2)) == (11.24, 6.26)
    assert (round(result.single, 2), round(result.average, 2)) == (0.17, 0.44)
    assert (result.k0, result.applications, result.ratings) == (4.0, 6, 24)


def test_icc_of_an_unbalanced_batch_uses_the_adjusted_group_size():
    ratings = [
        Rating(1, 1, D("80")),
        Rating(1, 2, D("90")),
        Rating(2, 3, D("70")),
        Rating(2, 4, D("72")),
        Rating(2, 5, D("74")),
        Rating(3, 6, D("60")),  # a single rating: left out
    ]

    result = icc(ratings)

    # Means 85 and 72, grand mean 77.2: BMS = 2·7.8² + 3·5.2² = 1014/5, WMS = (50 + 8)/3,
    # k0 = (5 − 13/5)/1 = 12/5.
    assert result is not None
    assert (result.bms, result.wms, result.k0) == (1014 / 5, 58 / 3, 12 / 5)
    assert (result.single, result.average) == (344 / 431, 1376 / 1521)
    assert (result.applications, result.ratings) == (2, 5)


def test_icc_needs_two_applications_with_two_ratings():
    ratings = [Rating(1, 1, D("80")), Rating(1, 2, D("90")), Rating(2, 1, D("70"))]

    assert icc(ratings) is None


def test_icc_is_none_when_every_application_has_the_same_mean():
    ratings = [Rating(1, 1, D("80")), Rating(1, 2, D("90")), Rating(2, 1, D("85"))]
    ratings += [Rating(2, 2, D("85"))]

    assert icc(ratings) is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(0, 200)),
        unique_by=lambda rating: rating[:2],
        max_size=30,
    ),
    st.integers(-100, 100),
)
def test_agreement_ignores_a_shift_of_every_total(rows, shift):
    ratings = [Rating(a, e, D(half) / 2) for a, e, half in rows]
    shifted = [Rating(r.application, r.expert, r.total + shift) for r in ratings]

    assert (icc(shifted), leniency(shifted)) == (icc(ratings), leniency(ratings))
