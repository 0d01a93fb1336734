"""What the results core costs for an edition of 300 ranked teams, each with 5 materials and 5
presentation sheets (trimmed mean), and the stability marks beside the named alternative they do
not use: recomputing every total, the whole ranking and every tier for each left-out sheet.

Run: .venv/bin/python bench/results.py [--teams 300] [--sheets 5] [--repeat 7]

The sheets are seeded: materials totals in half points around 80, presentation totals around 16
(out of 20). Tiers: 一等/二等/三等 by rank quota (10% / 30% / 40% of the teams), then by share
(22% / 34% / 44%), then by threshold (90 / 85 / 80). For each it prints the median time of
totals + rank + assign_tiers, then the time of `stability` (banzu.results.core.Board moves the
one changed team within the sorted order, O(N) a sheet) and counts the teams watched (within two
places of a boundary) and the unstable ones. For the quota mode (or --naive all) it also times
the naive recomputation once (totals, sort and tiers of every team again, O(N log N) Fraction
work a sheet: about 90 s at 300 teams) and checks that both give the same marks.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from banzu.results.core import (  # noqa: E402
    Entry,
    Rules,
    Stability,
    Tier,
    TierMode,
    TieRule,
    assign_tiers,
    omissions,
    rank,
    stability,
    totals,
)

SEED = 2026
RULES = Rules(
    materials_weight=80,
    presentation_weight=20,
    aggregation_rule="trimmed_mean",
    trim_min=5,
    tie_rule=TieRule.PRESENTATION_FIRST,
)


def generate(teams: int, sheets: int) -> list[Entry]:
    rng = random.Random(SEED)
    entries, pk = [], 0

    def half_points(mean: float, spread: float, top: int) -> Decimal:
        return Decimal(min(2 * top, max(0, round(rng.gauss(mean, spread) * 2)))) / 2

    for team in range(1, teams + 1):
        level = rng.gauss(0, 1)
        materials, presentation = {}, {}
        for _ in range(sheets):
            pk += 1
            materials[pk] = half_points(80 + 5 * level, 4, 100)
        for _ in range(sheets):
            pk += 1
            presentation[pk] = half_points(16 + level, 1, 20)
        entries.append(Entry(id=team, materials=materials, presentation=presentation))
    return entries


def setups(teams: int) -> list[tuple[str, list[Tier], TierMode]]:
    quotas = [teams * share // 100 for share in (10, 30, 40)]
    return [
        ("quota", [Tier(f"t{i}", quota=q) for i, q in enumerate(quotas)], TierMode.QUOTA),
        (
            "share",
            [Tier(f"t{i}", share_percent=Decimal(s)) for i, s in enumerate((22, 34, 44))],
            TierMode.SHARE,
        ),
        (
            "threshold",
            [Tier(f"t{i}", min_score=Decimal(m)) for i, m in enumerate((90, 85, 80))],
            TierMode.THRESHOLD,
        ),
    ]


def compute(entries: Sequence[Entry], tiers: Sequence[Tier], mode: TierMode) -> object:
    return assign_tiers(rank(totals(entries, RULES), RULES.tie_rule), tiers, mode)


def naive_stability(
    entries: Sequence[Entry], tiers: Sequence[Tier], mode: TierMode, watched: Sequence[int]
) -> list[Stability]:
    base = assign_tiers(rank(totals(entries, RULES), RULES.tie_rule), tiers, mode)
    changes: dict[int, list[tuple[str, int, int | None]]] = {team: [] for team in watched}
    for index, entry in enumerate(entries):
        for side, pk, rest in omissions(entry):
            changed = [*entries[:index], rest, *entries[index + 1 :]]
            after = assign_tiers(rank(totals(changed, RULES), RULES.tie_rule), tiers, mode)
            for team in watched:
                if after[team] != base[team]:
                    changes[team].append((side, pk, after[team]))
    return [Stability(team, base[team], tuple(changes[team])) for team in watched]


def timed(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    timings, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--teams", type=int, default=300)
    parser.add_argument("--sheets", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--naive", choices=["quota", "all", "none"], default="quota", help="modes to run it for"
    )
    args = parser.parse_args()
    entries = generate(args.teams, args.sheets)
    left_out = sum(len(omissions(entry)) for entry in entries)
    print(
        f"{args.teams} teams × ({args.sheets} materials + {args.sheets} presentation sheets), "
        f"{left_out} single sheets to leave out; medians of {args.repeat} runs (naive: 1 run)"
    )
    for name, tiers, mode in setups(args.teams):
        compute_s, _ = timed(partial(compute, entries, tiers, mode), args.repeat)
        board_s, marks = timed(partial(stability, entries, RULES, tiers, mode), args.repeat)
        assert isinstance(marks, list)
        watched = [mark.id for mark in marks]
        unstable = sum(1 for mark in marks if not mark.stable)
        naive = "naive recompute not run"
        if args.naive == "all" or args.naive == name:
            naive_s, found = timed(partial(naive_stability, entries, tiers, mode, watched), 1)
            same = "same marks" if found == marks else "DIFFERENT MARKS"
            naive = f"naive recompute {naive_s:6.2f} s (×{naive_s / board_s:.0f}), {same}"
        print(
            f"{name:>9}: totals+rank+tiers {compute_s * 1e3:6.1f} ms | stability (Board) "
            f"{board_s:5.2f} s | {naive} | {len(watched)} watched, {unstable} unstable"
        )


if __name__ == "__main__":
    main()
