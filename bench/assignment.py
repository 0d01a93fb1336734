"""What expert assignment costs: 500 applications × 3 experts over a pool of 80, and networkx's
min-cost flow beside it on the same problem.

Run: .venv/bin/python bench/assignment.py [--applications 500] [--experts 80] [--k 3]

The data is seeded: applications come from about 200 enterprises under 12 recommenders, each
enterprise in one of 5 industries (housing the largest); an expert has 1 to 3 specialities,
and some work for an enterprise or for a recommender, which puts them in conflict with its
applications. Prints the median of several runs of `assign` (graph building and solving,
OR-Tools), then the same balanced min-cost flow built and solved with networkx.min_cost_flow,
and checks that both reach the same number of industry matches.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from banzu.review.assignment import Candidate, Plan, Reviewer, assign  # noqa: E402

SEED = 20260
RUNS, NETWORKX_RUNS = 7, 3
ENTERPRISES, RECOMMENDERS = 200, 12
INDUSTRIES = ("building", "municipal", "installation", "bridge", "tunnel")
# Housing dominates the applications; specialities are drawn evenly, so the housing experts
# cannot take every housing application and some pairs must go unmatched.
INDUSTRY_WEIGHTS = (0.5, 0.2, 0.12, 0.1, 0.08)
WORKS_FOR_ENTERPRISE, WORKS_FOR_RECOMMENDER = 0.5, 0.3  # shares of the experts

Problem = tuple[list[Candidate], list[Reviewer], set[tuple[int, int]]]


def generate(applications: int, experts: int) -> Problem:
    rng = random.Random(SEED)
    recommender_of = [rng.randrange(RECOMMENDERS) for _ in range(ENTERPRISES)]
    industry_of = rng.choices(INDUSTRIES, weights=INDUSTRY_WEIGHTS, k=ENTERPRISES)
    enterprise_of = {number: rng.randrange(ENTERPRISES) for number in range(1, applications + 1)}
    candidates = [Candidate(a, industry_of[e]) for a, e in enterprise_of.items()]
    reviewers = []
    conflicts = set()
    for number in range(1001, 1001 + experts):
        reviewers.append(Reviewer(number, frozenset(rng.sample(INDUSTRIES, rng.randint(1, 3)))))
        draw = rng.random()
        if draw < WORKS_FOR_ENTERPRISE:
            mine = rng.randrange(ENTERPRISES)
            conflicts |= {(a, number) for a, e in enterprise_of.items() if e == mine}
        elif draw < WORKS_FOR_ENTERPRISE + WORKS_FOR_RECOMMENDER:
            mine = rng.randrange(RECOMMENDERS)
            conflicts |= {
                (a, number) for a, e in enterprise_of.items() if recommender_of[e] == mine
            }
    return candidates, reviewers, conflicts


def with_networkx(problem: Problem, k: int) -> Plan:
    """The same flow as banzu.review.assignment, built and solved with networkx: source →
    expert (floor), source → s2 (experts that may end on ceil) → expert (1), expert →
    application (1, cost 0 on an industry match, else 1), application → sink (k)."""
    candidates, reviewers, conflicts = problem
    slots = k * len(candidates)
    floor, room = divmod(slots, len(reviewers))
    graph = nx.DiGraph()
    graph.add_node("source", demand=-slots)
    graph.add_node("sink", demand=slots)
    graph.add_edge("source", "s2", capacity=room, weight=0)
    for reviewer in reviewers:
        graph.add_edge("source", ("e", reviewer.id), capacity=floor, weight=0)
        if room:
            graph.add_edge("s2", ("e", reviewer.id), capacity=1, weight=0)
    for candidate in candidates:
        graph.add_edge(("a", candidate.id), "sink", capacity=k, weight=0)
        for reviewer in reviewers:
            if (candidate.id, reviewer.id) not in conflicts:
                cost = 0 if candidate.industry in reviewer.specialities else 1
                graph.add_edge(("e", reviewer.id), ("a", candidate.id), capacity=1, weight=cost)
    flows: dict[Any, dict[Any, int]] = nx.min_cost_flow(graph)
    new: dict[int, list[int]] = {c.id: [] for c in candidates}
    matched = 0
    industry = {c.id: c.industry for c in candidates}
    for reviewer in reviewers:
        for (_, application), flow in flows[("e", reviewer.id)].items():
            if flow:
                new[application].append(reviewer.id)
                matched += industry[application] in reviewer.specialities
    loads = Counter(expert for experts in new.values() for expert in experts)
    return Plan(
        new={a: tuple(sorted(experts)) for a, experts in new.items()},
        loads={r.id: loads[r.id] for r in reviewers},
        matched=matched,
        unmatched=slots - matched,
    )


def median_s(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=500)
    parser.add_argument("--experts", type=int, default=80)
    parser.add_argument("--k", type=int, default=3)
    args = parser.parse_args()
    problem = generate(args.applications, args.experts)
    candidates, reviewers, conflicts = problem
    pairs = len(candidates) * len(reviewers)
    print(
        f"{len(candidates)} applications × {args.k} experts over {len(reviewers)}; "
        f"{len(conflicts):,} conflicted pairs of {pairs:,} ({len(conflicts) / pairs:.1%}); "
        f"{len(INDUSTRIES)} industries, specialities 1–3 an expert"
    )

    def ours() -> Plan:
        return assign(candidates=candidates, reviewers=reviewers, k=args.k, conflicts=conflicts)

    plan = ours()
    ours_s = median_s(ours, RUNS)
    other = with_networkx(problem, args.k)
    other_s = median_s(lambda: with_networkx(problem, args.k), NETWORKX_RUNS)
    print()
    print(f"{'':<40}{'time (ms)':>10}{'matched':>9}{'unmatched':>11}{'loads':>8}")
    for name, runs, seconds, result in (
        ("banzu assign (OR-Tools)", RUNS, ours_s, plan),
        ("networkx.min_cost_flow", NETWORKX_RUNS, other_s, other),
    ):
        loads = f"{min(result.loads.values())}–{max(result.loads.values())}"
        label = f"{name}, median of {runs}"
        print(
            f"{label:<40}{seconds * 1000:>10.1f}{result.matched:>9}{result.unmatched:>11}{loads:>8}"
        )
    same = plan.matched == other.matched
    print()
    print(f"same matched count: {'yes' if same else 'NO'}; networkx takes {other_s / ours_s:.0f}×")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
