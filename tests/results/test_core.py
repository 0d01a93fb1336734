"""The pure results core: totals rounded once, ranks under the tie rule, tiers, room awards and
stability marks, checked against straightforward Fraction arithmetic."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from banzu.results.core import Entry, Rules, TieRule, Total, rank, total

RULES = Rules(
    materials_weight=80,
    presentation_weight=20,
    aggregation_rule="trimmed_mean",
    trim_min=5,
    tie_rule=TieRule.PRESENTATION_FIRST,
)


def test_total_of_materials_86_5_is_a_share_of_69_20():
    entry = Entry(id=1, materials={1: D("86.5")}, presentation={2: D("17.5")})

    found = total(entry, RULES)

    assert (found.materials_share, found.presentation, found.total) == (
        D("69.20"),
        D("17.50"),
        D("86.70"),
    )
    assert found.total_exact == Fraction(867, 10)


def test_total_is_rounded_once_not_from_rounded_parts():
    # Five experts on each side, the highest and lowest dropped: materials 80, 80, 81 kept
    # (mean 80.333…, share 64.2666…), presentation 17, 17, 17.5 kept (17.1666…).
    entry = Entry(
        id=7,
        materials={11: D("78"), 12: D("80"), 13: D("80"), 14: D("81"), 15: D("90")},
        presentation={21: D("16"), 22: D("17"), 23: D("17"), 24: D("17.5"), 25: D("19")},
    )

    found = total(entry, RULES)

    assert found.materials_share + found.presentation == D("81.44")  # rounding the parts first
    assert found.total == D("81.43")  # 81.4333… rounded once
    assert found.total_exact == Fraction(2443, 30)
    assert (found.materials_dropped, found.presentation_dropped) == ((11, 15), (21, 25))
    assert found.dropped == (
        ("materials", 11),
        ("materials", 15),
        ("presentation", 21),
        ("presentation", 25),
    )


def test_total_without_presentation_sheet_is_refused():
    entry = Entry(id=3, materials={1: D("90")}, presentation={})

    with pytest.raises(ValueError, match="application 3 has no presentation sheet"):
        total(entry, RULES)


def _total(id_: int, materials: str, presentation: str) -> Total:
    return total(
        Entry(id=id_, materials={id_: D(materials)}, presentation={id_: D(presentation)}), RULES
    )


def test_rank_presentation_first_breaks_equal_totals_then_shares_the_rank():
    # Teams 1, 2 and 3 all total 86.00; 2 has the higher presentation score.
    teams = [
        _total(1, "85", "18"),
        _total(2, "82.5", "20"),
        _total(3, "85", "18"),
        _total(4, "90", "19"),
        _total(5, "80", "15"),
    ]

    ranked = rank(teams, TieRule.PRESENTATION_FIRST)

    assert [(r.id, r.rank) for r in ranked] == [(4, 1), (2, 2), (1, 3), (3, 3), (5, 5)]


def test_rank_materials_first_and_equal():
    teams = [_total(1, "85", "18"), _total(2, "82.5", "20"), _total(4, "90", "19")]

    assert [(r.id, r.rank) for r in rank(teams, TieRule.MATERIALS_FIRST)] == [
        (4, 1),
        (1, 2),
        (2, 3),
    ]
    assert [(r.id, r.rank) for r in rank(teams, TieRule.EQUAL)] == [(4, 1), (1, 2), (2, 2)]
