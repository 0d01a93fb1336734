"""The pure results core: totals rounded once, ranks under the tie rule, tiers, room awards and
stability marks, checked against straightforward Fraction arithmetic."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, localcontext
from decimal import Decimal as D
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banzu.results.core import (
    Board,
    Entry,
    Ranked,
    Rules,
    Stability,
    Tier,
    TierMode,
    TieRule,
    Total,
    assign_tiers,
    boundaries,
    omissions,
    rank,
    room_awards,
    stability,
    total,
    totals,
)

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


# --- exact arithmetic, independently -------------------------------------------------------

CENT = D("0.01")


def _mean(values: list[D], rule: str, trim_min: int) -> Fraction:
    ordered = sorted(values)
    if rule == "trimmed_mean" and len(ordered) >= max(trim_min, 3):
        ordered = ordered[1:-1]
    return sum((Fraction(v) for v in ordered), Fraction(0)) / len(ordered)


def _round_once(value: Fraction) -> D:
    with localcontext() as context:
        context.prec = 60
        return (D(value.numerator) / D(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def _rule_key(found: Total, tie_rule: TieRule) -> tuple[object, ...]:
    if tie_rule == TieRule.PRESENTATION_FIRST:
        return (found.total, found.presentation_exact, found.materials_exact)
    if tie_rule == TieRule.MATERIALS_FIRST:
        return (found.total, found.materials_exact, found.presentation_exact)
    return (found.total,)


MATERIALS = st.lists(st.integers(120, 200).map(lambda n: D(n) / 2), min_size=1, max_size=6)
PRESENTATION = st.lists(st.integers(20, 40).map(lambda n: D(n) / 2), min_size=1, max_size=6)
# Few distinct values make equal totals, equal aggregates and ties at boundaries common.
TIED_MATERIALS = st.lists(st.sampled_from([D(80), D(85), D("82.5")]), min_size=1, max_size=4)
TIED_PRESENTATION = st.lists(st.sampled_from([D(16), D(18), D(20)]), min_size=1, max_size=4)
RULES_ST = st.builds(
    Rules,
    materials_weight=st.sampled_from([80, 70]),
    presentation_weight=st.just(20),
    aggregation_rule=st.sampled_from(["mean", "trimmed_mean"]),
    trim_min=st.integers(3, 6),
    tie_rule=st.sampled_from(list(TieRule)),
)


@st.composite
def entries_st(draw: st.DrawFn, *, tied: bool = False, max_teams: int = 10) -> list[Entry]:
    teams = draw(st.integers(1, max_teams))
    materials_st, presentation_st = (
        (TIED_MATERIALS, TIED_PRESENTATION) if tied else (MATERIALS, PRESENTATION)
    )
    entries, pk = [], 0
    for team in range(1, teams + 1):
        materials = {}
        for value in draw(materials_st):
            pk += 1
            materials[pk] = value
        presentation = {}
        for value in draw(presentation_st):
            pk += 1
            presentation[pk] = value
        entries.append(Entry(id=team * 10, materials=materials, presentation=presentation))
    return entries


@given(entries=entries_st(max_teams=3), rules=RULES_ST)
def test_total_equals_exact_arithmetic_rounded_once(entries: list[Entry], rules: Rules):
    for entry in entries:
        materials = _mean(list(entry.materials.values()), rules.aggregation_rule, rules.trim_min)
        presentation = _mean(
            list(entry.presentation.values()), rules.aggregation_rule, rules.trim_min
        )
        exact = materials * rules.materials_weight / 100 + presentation

        found = total(entry, rules)

        assert (found.materials_exact, found.presentation_exact) == (materials, presentation)
        assert found.total_exact == exact
        assert found.total == _round_once(exact)
        assert found.materials_share == _round_once(materials * rules.materials_weight / 100)
        assert found.presentation == _round_once(presentation)


@given(entries=entries_st(tied=True), rules=RULES_ST)
def test_rank_respects_the_tie_rule(entries: list[Entry], rules: Rules):
    found = totals(entries, rules)

    ranked = rank(found, rules.tie_rule)

    assert sorted(r.id for r in ranked) == sorted(e.id for e in entries)
    keys = [_rule_key(r.total, rules.tie_rule) for r in ranked]
    for i, first in enumerate(ranked):
        higher = sum(1 for key in keys if key > keys[i])
        assert first.rank == higher + 1  # competition ranking
        for j in range(i + 1, len(ranked)):
            second = ranked[j]
            assert keys[i] >= keys[j]
            assert (keys[i] == keys[j]) == (first.rank == second.rank)
            if first.rank == second.rank:
                assert first.id < second.id


# --- tiers ---------------------------------------------------------------------------------


def _team(id_: int, materials: str, presentation: str) -> Total:
    return total(
        Entry(id=id_, materials={id_: D(materials)}, presentation={id_: D(presentation)}), RULES
    )


def _seven_with_ties() -> list[Ranked]:
    # Totals 95, 90, 90, 85, 80, 80, 75 (each an equal pair shares its parts): ranks 1 2 2 4 5 5 7
    teams = [
        _team(1, "100", "15"),
        _team(2, "87.5", "20"),
        _team(3, "87.5", "20"),
        _team(4, "81.25", "20"),
        _team(5, "81.25", "15"),
        _team(6, "81.25", "15"),
        _team(7, "75", "15"),
    ]
    ranked = rank(teams, TieRule.PRESENTATION_FIRST)
    assert [r.rank for r in ranked] == [1, 2, 2, 4, 5, 5, 7]
    return ranked


def test_assign_tiers_by_quota_keeps_ties_in_the_higher_tier_and_shrinks_the_next():
    tiers = [Tier("first", quota=2), Tier("second", quota=2), Tier("third", quota=2)]

    found = assign_tiers(_seven_with_ties(), tiers, TierMode.QUOTA)

    # first takes 3 (the tie at 2 is kept whole), second only 1, third 2; the last none.
    assert found == {1: 0, 2: 0, 3: 0, 4: 1, 5: 2, 6: 2, 7: None}


def test_assign_tiers_by_share_rounds_each_running_boundary_half_up():
    tiers = [
        Tier("first", share_percent=D("10")),
        Tier("second", share_percent=D("40")),
        Tier("third", share_percent=D("30")),
    ]

    found = assign_tiers(_seven_with_ties(), tiers, TierMode.SHARE)

    # boundaries 0.7 → 1, 3.5 → 4, 5.6 → 6 (not 0.7 + 2.8 + 2.1 rounded one by one: 1 + 3 + 2)
    assert boundaries(tiers, TierMode.SHARE, 7) == [1, 4, 6]
    assert found == {1: 0, 2: 1, 3: 1, 4: 1, 5: 2, 6: 2, 7: None}


def test_assign_tiers_by_threshold_gives_the_highest_tier_reached():
    tiers = [Tier("first", min_score=D("90.00")), Tier("second", min_score=D("80.01"))]

    found = assign_tiers(_seven_with_ties(), tiers, TierMode.THRESHOLD)

    assert found == {1: 0, 2: 0, 3: 0, 4: 1, 5: None, 6: None, 7: None}


def test_assign_tiers_refuses_a_tier_without_its_value():
    with pytest.raises(ValueError, match="tier 'first' needs a non-negative value"):
        assign_tiers(_seven_with_ties(), [Tier("first", min_score=D(90))], TierMode.QUOTA)


TIER_COUNTS = st.lists(st.integers(0, 4), min_size=1, max_size=4)
SHARES = st.lists(st.integers(0, 60).map(D), min_size=1, max_size=4)


def _check_one_tier_each(ranked: list[Ranked], found: dict[int, int | None], tiers: int) -> None:
    assert set(found) == {r.id for r in ranked}
    assert all(tier is None or 0 <= tier < tiers for tier in found.values())
    order = [tiers if found[r.id] is None else found[r.id] for r in ranked]
    assert order == sorted(order)  # a better rank never gets a lower tier
    for first, second in pairwise(ranked):
        if first.rank == second.rank:
            assert found[first.id] == found[second.id]  # a tie is never split


def _expected_counts(ranked: list[Ranked], cuts: list[int]) -> list[int]:
    """How many teams tiers 0..i hold together: the cut, moved to take in every team that
    shares the rank of the last one it takes."""
    expected, taken = [], 0
    for cut in cuts:
        cut = max(min(cut, len(ranked)), taken)
        if cut:
            last = ranked[cut - 1].rank
            cut = sum(1 for r in ranked if r.rank <= last)
        expected.append(cut)
        taken = cut
    return expected


@given(entries=entries_st(tied=True), rules=RULES_ST, quotas=TIER_COUNTS)
def test_assign_tiers_by_quota_respects_the_quotas_modulo_ties(entries, rules, quotas):
    ranked = rank(totals(entries, rules), rules.tie_rule)
    tiers = [Tier(f"t{i}", quota=q) for i, q in enumerate(quotas)]

    found = assign_tiers(ranked, tiers, TierMode.QUOTA)

    _check_one_tier_each(ranked, found, len(tiers))
    running = [sum(quotas[: i + 1]) for i in range(len(quotas))]
    counts = [sum(1 for t in found.values() if t is not None and t <= i) for i in range(len(tiers))]
    assert counts == _expected_counts(ranked, running)
    for i, quota in enumerate(quotas):
        in_tier = [r for r in ranked if found[r.id] == i]
        if len(in_tier) > quota:  # only by keeping the tie at its lower boundary whole
            assert sum(1 for r in ranked if r.rank == in_tier[-1].rank) > 1


@given(entries=entries_st(tied=True), rules=RULES_ST, shares=SHARES)
def test_assign_tiers_by_share_rounds_running_shares_then_as_quota(entries, rules, shares):
    ranked = rank(totals(entries, rules), rules.tie_rule)
    tiers = [Tier(f"t{i}", share_percent=s) for i, s in enumerate(shares)]

    found = assign_tiers(ranked, tiers, TierMode.SHARE)

    _check_one_tier_each(ranked, found, len(tiers))
    cuts = [
        int((sum(shares[: i + 1]) * len(ranked) / 100).quantize(D(1), rounding=ROUND_HALF_UP))
        for i in range(len(shares))
    ]
    counts = [sum(1 for t in found.values() if t is not None and t <= i) for i in range(len(tiers))]
    assert counts == _expected_counts(ranked, cuts)


@given(
    entries=entries_st(tied=True),
    rules=RULES_ST,
    minimums=st.lists(st.integers(6000, 10000).map(lambda n: D(n) / 100), min_size=1, max_size=4),
)
def test_assign_tiers_by_threshold_gives_the_first_tier_reached(entries, rules, minimums):
    minimums = sorted(minimums, reverse=True)
    ranked = rank(totals(entries, rules), rules.tie_rule)
    tiers = [Tier(f"t{i}", min_score=m) for i, m in enumerate(minimums)]

    found = assign_tiers(ranked, tiers, TierMode.THRESHOLD)

    _check_one_tier_each(ranked, found, len(tiers))
    for r in ranked:
        tier = found[r.id]
        above = minimums if tier is None else minimums[:tier]
        assert all(m > r.total.total for m in above)
        if tier is not None:
            assert minimums[tier] <= r.total.total


# --- room awards ---------------------------------------------------------------------------


def test_room_awards_go_to_every_team_with_the_room_s_highest_presentation():
    teams = [
        _team(1, "90", "18.5"),
        _team(2, "70", "19"),
        _team(3, "80", "19"),
        _team(4, "99", "17"),
        _team(5, "60", "20"),
    ]

    found = room_awards(teams, {1: 100, 2: 100, 3: 100, 4: 200})

    assert found == {100: (2, 3), 200: (4,)}  # team 5 has no room


# --- stability -----------------------------------------------------------------------------


def _three_teams() -> list[Entry]:
    return [
        # Team 1 and team 2 tie exactly (materials mean 90, presentation 18: total 90.00).
        Entry(1, materials={1: D(90), 2: D(90), 3: D(90)}, presentation={4: D(18), 5: D(18)}),
        Entry(2, materials={7: D(100), 8: D(90), 9: D(80)}, presentation={10: D(17), 12: D(19)}),
        Entry(3, materials={13: D(50), 14: D(60)}, presentation={15: D(10), 16: D(12)}),
    ]


MEAN_RULES = Rules(80, 20, "mean", 5, TieRule.PRESENTATION_FIRST)


def test_stability_names_each_sheet_whose_omission_moves_a_team():
    found = stability(_three_teams(), MEAN_RULES, [Tier("first", quota=1)], TierMode.QUOTA)

    # Both tied teams hold the one award; leaving out a sheet of team 2 breaks the tie.
    assert found == [
        Stability(id=1, tier=0, changes=(("materials", 9, None), ("presentation", 10, None))),
        Stability(id=2, tier=0, changes=(("materials", 7, None), ("presentation", 12, None))),
        Stability(id=3, tier=None, changes=()),
    ]
    assert [s.stable for s in found] == [False, False, True]


def test_stability_skips_a_side_with_a_single_sheet_and_teams_far_from_a_boundary():
    entries = [
        Entry(1, materials={1: D(99)}, presentation={2: D(20)}),
        Entry(2, materials={3: D(90), 4: D(91)}, presentation={5: D(19)}),
        Entry(3, materials={6: D(80)}, presentation={7: D(15), 8: D(16)}),
        Entry(4, materials={9: D(70)}, presentation={10: D(15)}),
        Entry(5, materials={11: D(60)}, presentation={12: D(10)}),
    ]
    tiers = [Tier("first", quota=1), Tier("second", quota=1)]

    found = stability(entries, MEAN_RULES, tiers, TierMode.QUOTA, near=1)

    assert [(s.id, s.tier, s.changes) for s in found] == [(1, 0, ()), (2, 1, ()), (3, None, ())]
    assert [(side, pk) for side, pk, _ in omissions(entries[1])] == [
        ("materials", 3),
        ("materials", 4),
    ]


def _naive_stability(entries, rules, tiers, mode, near):
    """Everything recomputed from the entries for each omission: no Board."""
    base = assign_tiers(rank(totals(entries, rules), rules.tie_rule), tiers, mode)
    watched = [s.id for s in stability(entries, rules, tiers, mode, near=near)]
    changes: dict[int, list] = {team: [] for team in watched}
    for index, entry in enumerate(entries):
        for side, pk, rest in omissions(entry):
            changed = [*entries[:index], rest, *entries[index + 1 :]]
            after = assign_tiers(rank(totals(changed, rules), rules.tie_rule), tiers, mode)
            for team in watched:
                if after[team] != base[team]:
                    changes[team].append((side, pk, after[team]))
    return [Stability(team, base[team], tuple(changes[team])) for team in watched]


TIERS_AND_MODE = st.one_of(
    TIER_COUNTS.map(
        lambda qs: ([Tier(f"t{i}", quota=q) for i, q in enumerate(qs)], TierMode.QUOTA)
    ),
    SHARES.map(
        lambda ss: ([Tier(f"t{i}", share_percent=s) for i, s in enumerate(ss)], TierMode.SHARE)
    ),
    st.lists(st.integers(7000, 10000).map(lambda n: D(n) / 100), min_size=1, max_size=3).map(
        lambda ms: (
            [Tier(f"t{i}", min_score=m) for i, m in enumerate(sorted(ms, reverse=True))],
            TierMode.THRESHOLD,
        )
    ),
)


@given(entries=entries_st(tied=True, max_teams=7), rules=RULES_ST, setup=TIERS_AND_MODE)
def test_board_without_an_omission_reproduces_the_figures(entries, rules, setup):
    tiers, mode = setup
    found = totals(entries, rules)
    board = Board(found, rules.tie_rule, tiers, mode)
    expected = assign_tiers(rank(found, rules.tie_rule), tiers, mode)

    for team in found:
        assert board.tiers_if(team) == expected
    for team in stability(entries, rules, tiers, mode, near=len(entries)):
        assert team.tier == expected[team.id]


@settings(max_examples=60)
@given(
    entries=entries_st(tied=True, max_teams=6),
    rules=RULES_ST,
    setup=TIERS_AND_MODE,
    near=st.integers(1, 3),
)
def test_stability_agrees_with_recomputing_everything(entries, rules, setup, near):
    tiers, mode = setup

    found = stability(entries, rules, tiers, mode, near=near)

    assert found == _naive_stability(entries, rules, tiers, mode, near)
