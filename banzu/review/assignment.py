"""Expert assignment without Django: every application gets k experts free of conflicts, the
experts' loads stay within one of each other, and as many pairs as possible match the
application's industry to an expert's speciality.

The assignment is a min-cost flow: source → expert → application → sink, cost 0 on a pair whose
industry matches and 1 otherwise. Balance needs lower bounds on the expert arcs, which
SimpleMinCostFlow does not have; they come from the supply instead. With T slots over E experts
every final load is floor(T/E) or ceil(T/E), so expert e must take at least lo = floor − load
and at most hi = ceil − load more. The source feeds each expert lo directly and a second source
s2 feeds the room for one more (hi − lo, 0 or 1) to the r experts that may still end on ceil.
The source's supply equals lo summed plus r, so a full flow saturates every lower bound.

When there is no valid assignment, `NoAssignment.problems` says why, from cheap checks first
to min cuts of two max flows. Those two cuts decide it: by the bipartite linkage theorem
(Mendelsohn–Dulmage, for degree intervals), a flow that fills the applications under the
experts' upper bounds and one that fills the experts' lower bounds under the applications'
needs imply one that does both. "unbalanced" is a guard that should not be reached.

`assign_what_can` is what the admin runs: the exact plan when there is one; otherwise as many
pairs as the conflicts allow (a maximum flow), the loads as even as they can be (each further
application costs an expert more than the one before: a convex cost, so the least sum of
squared loads), then the most industry matches, with what stops the rest (`Partial.problems`).
Assignments already made are never touched, even those over k or in conflict: they are
reported, and the admin decides.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import max_flow, min_cost_flow  # type: ignore[import-untyped]

BoolMatrix = NDArray[np.bool_]
Counts = NDArray[np.int64]


@dataclass(frozen=True)
class Candidate:
    """An application to be reviewed."""

    id: int
    industry: str


@dataclass(frozen=True)
class Reviewer:
    """An expert in the pool."""

    id: int
    specialities: frozenset[str]


@dataclass(frozen=True)
class Plan:
    new: dict[int, tuple[int, ...]]  # application id -> experts added by this run, sorted
    loads: dict[int, int]  # expert id -> existing + new load, every reviewer present
    matched: int  # added pairs whose expert has the application's industry as a speciality
    unmatched: int


@dataclass(frozen=True)
class Problem:
    """One exact reason why no valid assignment exists.

    no_reviewers       the pool is empty.
    k_too_large        needed = k, available = the number of reviewers.
    existing_conflict  applications = (application,), experts = (expert,): a kept pair that is
                       in the conflicts.
    existing_too_many  applications = (application,), experts = the kept ones, needed = k,
                       available = how many are kept.
    expert_over        experts = (expert,), needed = ceil(T/E), available = their kept load.
    application_short  applications = (application,), needed = experts still to add,
                       available = experts free of conflicts and not yet on it.
    group_short        applications that together need `needed` more experts, while the
                       experts free of conflicts with any of them (`experts`, full ones
                       included) can take at most `available` of those slots: each at most one
                       per application and at most up to ceil(T/E).
    experts_underused  experts who must take `needed` more to reach floor(T/E), while the
                       applications they are free to review (`applications`) have only
                       `available` of those slots: each at most one per expert and at most
                       what it still needs.
    unbalanced         none of the above: a guard, not expected to happen.
    """

    code: str
    applications: tuple[int, ...] = ()
    experts: tuple[int, ...] = ()
    needed: int = 0
    available: int = 0


@dataclass(frozen=True)
class Partial:
    """What `assign_what_can` adds, and why some applications still have fewer than k.

    Problems, besides `no_reviewers`, `k_too_large`, `existing_conflict` and
    `existing_too_many` as for `assign` (those applications and pairs are left as they are):

    too_few_free   applications = (application,), needed = k, available = the experts of the
                   pool free of conflicts with it (those already on it included).
    uneven_loads   experts = those now above the balanced load, needed = ceil(T/E),
                   available = the highest load: the conflicts left too few others.
    """

    plan: Plan
    problems: tuple[Problem, ...]


class NoAssignment(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = tuple(problems)


def assign(
    *,
    candidates: Sequence[Candidate],
    reviewers: Sequence[Reviewer],
    k: int,
    conflicts: Collection[tuple[int, int]],
    existing: Mapping[int, Collection[int]] | None = None,
) -> Plan:
    """Add experts so that every candidate has exactly k, none conflicted (conflicts are
    (application id, expert id) pairs; pairs of unknown ids are ignored), every reviewer's load
    (kept + new) is floor or ceil of k × candidates / reviewers, and the number of industry
    matches among the added pairs is the largest possible. Candidates and reviewers are taken
    in id order, so the result does not depend on the order they come in. With no candidates
    the plan is empty, whatever the pool and k.

    Raises ValueError for malformed input (k < 1, repeated ids, `existing` naming an unknown
    application or expert or the same expert twice) and NoAssignment when there is no valid
    assignment. Problems are checked kind by kind in the order of `Problem`'s docstring; the
    first kind that finds any is raised with all of that kind.
    """
    apps = sorted(candidates, key=lambda candidate: candidate.id)
    experts = sorted(reviewers, key=lambda reviewer: reviewer.id)
    app_ids = [app.id for app in apps]
    expert_ids = [expert.id for expert in experts]
    _check_input(app_ids, expert_ids, k, existing or {})
    if not apps:
        return Plan(new={}, loads=dict.fromkeys(expert_ids, 0), matched=0, unmatched=0)
    if not experts:
        raise NoAssignment([Problem("no_reviewers")])
    if k > len(experts):
        raise NoAssignment([Problem("k_too_large", needed=k, available=len(experts))])

    app_row = {app_id: row for row, app_id in enumerate(app_ids)}
    expert_col = {expert_id: col for col, expert_id in enumerate(expert_ids)}
    conflicted = np.zeros((len(apps), len(experts)), dtype=np.bool_)
    for app_id, expert_id in conflicts:
        if app_id in app_row and expert_id in expert_col:
            conflicted[app_row[app_id], expert_col[expert_id]] = True
    kept = np.zeros_like(conflicted)
    for app_id, kept_ids in (existing or {}).items():
        kept[app_row[app_id], [expert_col[expert_id] for expert_id in kept_ids]] = True

    slots = k * len(apps)
    floor, ceil = slots // len(experts), -(-slots // len(experts))
    loads = kept.sum(axis=0, dtype=np.int64)
    need = k - kept.sum(axis=1, dtype=np.int64)
    allowed = ~conflicted & ~kept
    _raise_for_existing(conflicted, kept, loads, need, ceil, k, app_ids, expert_ids)

    lower = np.maximum(floor - loads, 0)
    upper = ceil - loads
    # Experts that may still end on ceil: the remainder less those already there.
    room = slots % len(experts) - int((loads > floor).sum())
    match = _matches(apps, experts)
    flows = _cheapest_flow(allowed, match, need, lower, upper, room) if room >= 0 else None
    if flows is None:
        raise NoAssignment(_explain(allowed, need, lower, upper, app_ids, expert_ids))

    added = np.zeros_like(allowed)
    added[allowed] = flows
    final = loads + added.sum(axis=0, dtype=np.int64)
    matched = int((added & match).sum())
    return Plan(
        new={
            app_id: tuple(expert_ids[col] for col in np.flatnonzero(added[row]).tolist())
            for row, app_id in enumerate(app_ids)
        },
        loads=dict(zip(expert_ids, final.tolist(), strict=True)),
        matched=matched,
        unmatched=int(added.sum()) - matched,
    )


def _check_input(
    app_ids: list[int], expert_ids: list[int], k: int, existing: Mapping[int, Collection[int]]
) -> None:
    if k < 1:
        raise ValueError("k must be at least 1")
    if len(set(app_ids)) != len(app_ids) or len(set(expert_ids)) != len(expert_ids):
        raise ValueError("candidate and reviewer ids must be unique")
    known_apps, known_experts = set(app_ids), set(expert_ids)
    for app_id, kept_ids in existing.items():
        if app_id not in known_apps:
            raise ValueError(f"existing names application {app_id}, which is not a candidate")
        if not set(kept_ids) <= known_experts:
            raise ValueError(f"existing names an expert of application {app_id} not in the pool")
        if len(set(kept_ids)) != len(kept_ids):
            raise ValueError(f"existing names an expert twice on application {app_id}")


def _raise_for_existing(
    conflicted: BoolMatrix,
    kept: BoolMatrix,
    loads: Counts,
    need: Counts,
    ceil: int,
    k: int,
    app_ids: list[int],
    expert_ids: list[int],
) -> None:
    rows, cols = np.nonzero(conflicted & kept)
    if len(rows):
        raise NoAssignment(
            [
                Problem(
                    "existing_conflict", applications=(app_ids[row],), experts=(expert_ids[col],)
                )
                for row, col in zip(rows.tolist(), cols.tolist(), strict=True)
            ]
        )
    if (need < 0).any():
        raise NoAssignment(
            [
                Problem(
                    "existing_too_many",
                    applications=(app_ids[row],),
                    experts=tuple(expert_ids[col] for col in np.flatnonzero(kept[row]).tolist()),
                    needed=k,
                    available=k - int(need[row]),
                )
                for row in np.flatnonzero(need < 0).tolist()
            ]
        )
    if (loads > ceil).any():
        raise NoAssignment(
            [
                Problem(
                    "expert_over",
                    experts=(expert_ids[col],),
                    needed=ceil,
                    available=int(loads[col]),
                )
                for col in np.flatnonzero(loads > ceil).tolist()
            ]
        )


def _matches(apps: Sequence[Candidate], experts: Sequence[Reviewer]) -> BoolMatrix:
    industries = {app.industry for app in apps}
    index = {industry: number for number, industry in enumerate(sorted(industries))}
    knows = np.zeros((len(experts), len(index)), dtype=np.bool_)
    for col, expert in enumerate(experts):
        knows[col, [index[s] for s in expert.specialities if s in index]] = True
    industry_of = np.array([index[app.industry] for app in apps], dtype=np.int64)
    return np.ascontiguousarray(knows[:, industry_of].T)


def _cheapest_flow(
    allowed: BoolMatrix,
    match: BoolMatrix,
    need: Counts,
    lower: Counts,
    upper: Counts,
    room: int,
) -> NDArray[np.bool_] | None:
    """The added pairs, in the order of allowed's True cells, or None when no full flow
    exists. Nodes: source 0, s2 1, experts 2.., applications after them, sink last."""
    n_apps, n_experts = allowed.shape
    expert_node = np.arange(2, 2 + n_experts, dtype=np.int32)
    app_node = np.arange(2 + n_experts, 2 + n_experts + n_apps, dtype=np.int32)
    sink = 2 + n_experts + n_apps
    rows, cols = np.nonzero(allowed)
    may_reach_ceil = upper > lower
    tails = np.concatenate(
        [
            expert_node[cols],
            np.zeros(n_experts, dtype=np.int32),
            np.zeros(1, dtype=np.int32),
            np.ones(int(may_reach_ceil.sum()), dtype=np.int32),
            app_node,
        ]
    )
    heads = np.concatenate(
        [
            app_node[rows],
            expert_node,
            np.ones(1, dtype=np.int32),
            expert_node[may_reach_ceil],
            np.full(n_apps, sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(len(rows), dtype=np.int64),
            lower.astype(np.int64),
            np.array([room], dtype=np.int64),
            np.ones(int(may_reach_ceil.sum()), dtype=np.int64),
            need.astype(np.int64),
        ]
    )
    costs = np.zeros(len(tails), dtype=np.int64)
    costs[: len(rows)] = ~match[rows, cols]
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    total = int(need.sum())
    solver.set_node_supply(0, total)
    solver.set_node_supply(sink, -total)
    if solver.solve() != solver.OPTIMAL:
        return None
    flows: NDArray[np.int64] = solver.flows(arcs[: len(rows)])
    return flows > 0


def _explain(
    allowed: BoolMatrix,
    need: Counts,
    lower: Counts,
    upper: Counts,
    app_ids: list[int],
    expert_ids: list[int],
) -> list[Problem]:
    available = allowed.sum(axis=1, dtype=np.int64)
    short = np.flatnonzero(available < need).tolist()
    if short:
        return [
            Problem(
                "application_short",
                applications=(app_ids[row],),
                needed=int(need[row]),
                available=int(available[row]),
            )
            for row in short
        ]
    groups = _shortfalls(allowed, need, upper)
    if groups:
        return [
            Problem(
                "group_short",
                applications=tuple(app_ids[row] for row in rows),
                experts=tuple(expert_ids[col] for col in cols),
                needed=needed,
                available=available_,
            )
            for rows, cols, needed, available_ in groups
        ]
    groups = _shortfalls(np.ascontiguousarray(allowed.T), lower, need)
    if groups:
        return [
            Problem(
                "experts_underused",
                applications=tuple(app_ids[row] for row in rows),
                experts=tuple(expert_ids[col] for col in cols),
                needed=needed,
                available=available_,
            )
            for cols, rows, needed, available_ in groups
        ]
    return [Problem("unbalanced")]


def _shortfalls(
    allowed: BoolMatrix, demand: Counts, capacity: Counts
) -> list[tuple[list[int], list[int], int, int]]:
    """Sets of left nodes (rows of `allowed`) whose demand their neighbours cannot meet: each
    neighbour takes at most one per left node and at most its capacity. Found from the
    smallest source side of a min cut of source → left (demand) → right (1) → sink (capacity)
    when the max flow falls short, split into groups that share no neighbour with capacity.
    Each is (left rows, neighbour columns, needed, available) with needed > available."""
    n_left, n_right = allowed.shape
    rows, cols = np.nonzero(allowed)
    left_node = np.arange(1, 1 + n_left, dtype=np.int32)
    right_node = np.arange(1 + n_left, 1 + n_left + n_right, dtype=np.int32)
    sink = 1 + n_left + n_right
    solver = max_flow.SimpleMaxFlow()
    solver.add_arcs_with_capacity(
        np.concatenate([np.zeros(n_left, dtype=np.int32), left_node[rows], right_node]),
        np.concatenate([left_node, right_node[cols], np.full(n_right, sink, dtype=np.int32)]),
        np.concatenate(
            [demand.astype(np.int64), np.ones(len(rows), dtype=np.int64), capacity.astype(np.int64)]
        ),
    )
    if solver.solve(0, sink) != solver.OPTIMAL:
        raise RuntimeError("max flow failed")
    if solver.optimal_flow() == int(demand.sum()):
        return []
    cut = np.array(solver.get_source_side_min_cut(), dtype=np.int64)
    in_cut = cut[(cut >= 1) & (cut <= n_left)] - 1

    # Union-find over the cut's left nodes, joined through neighbours that have capacity.
    parent = {row: row for row in in_cut.tolist()}

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for col in range(n_right):
        if capacity[col] <= 0:
            continue
        linked = in_cut[allowed[in_cut, col]].tolist()
        for other in linked[1:]:
            parent[root(other)] = root(linked[0])
    members: dict[int, list[int]] = {}
    for row in in_cut.tolist():
        members.setdefault(root(row), []).append(row)

    groups = []
    for group in sorted(members.values()):
        degree = allowed[group].sum(axis=0, dtype=np.int64)
        neighbours = np.flatnonzero(degree > 0).tolist()
        needed = int(demand[group].sum())
        available = int(np.minimum(degree, capacity).sum())
        groups.append((group, neighbours, needed, available))
    return groups


def assign_what_can(
    *,
    candidates: Sequence[Candidate],
    reviewers: Sequence[Reviewer],
    k: int,
    conflicts: Collection[tuple[int, int]],
    existing: Mapping[int, Collection[int]] | None = None,
) -> Partial:
    """`assign` when it finds a plan; otherwise add every pair that can be added (at most
    k per application, never a conflicted one, never touching the existing ones), the loads
    as even as possible, then the most industry matches, and say what stops the rest.

    Unlike `assign`, `existing` may name experts who are not reviewers (no longer available):
    they count towards their application's k and take nothing more. Other malformed input
    raises ValueError as in `assign`."""
    pool_ids = {reviewer.id for reviewer in reviewers}
    inside = {app: [e for e in kept if e in pool_ids] for app, kept in (existing or {}).items()}
    outside = {app: len(kept) - len(inside[app]) for app, kept in (existing or {}).items()}
    if not any(outside.values()):
        try:
            plan = assign(
                candidates=candidates,
                reviewers=reviewers,
                k=k,
                conflicts=conflicts,
                existing=inside,
            )
            return Partial(plan, ())
        except NoAssignment:
            pass
    apps = sorted(candidates, key=lambda candidate: candidate.id)
    experts = sorted(reviewers, key=lambda reviewer: reviewer.id)
    app_ids = [app.id for app in apps]
    expert_ids = [expert.id for expert in experts]
    _check_input(app_ids, expert_ids, k, inside)
    if not experts:
        empty = Plan(new={}, loads={}, matched=0, unmatched=0)
        return Partial(empty, (Problem("no_reviewers"),) if apps else ())

    app_row = {app_id: row for row, app_id in enumerate(app_ids)}
    expert_col = {expert_id: col for col, expert_id in enumerate(expert_ids)}
    conflicted = np.zeros((len(apps), len(experts)), dtype=np.bool_)
    for app_id, expert_id in conflicts:
        if app_id in app_row and expert_id in expert_col:
            conflicted[app_row[app_id], expert_col[expert_id]] = True
    kept = np.zeros_like(conflicted)
    for app_id, kept_ids in inside.items():
        kept[app_row[app_id], [expert_col[expert_id] for expert_id in kept_ids]] = True
    away = np.array([outside.get(app_id, 0) for app_id in app_ids], dtype=np.int64)
    on = kept.sum(axis=1, dtype=np.int64) + away
    loads = kept.sum(axis=0, dtype=np.int64)
    match = _matches(apps, experts)

    added = _most_pairs(~conflicted & ~kept, match, np.maximum(k - on, 0), loads)
    final = loads + added.sum(axis=0, dtype=np.int64)
    matched = int((added & match).sum())
    plan = Plan(
        new={
            app_id: tuple(expert_ids[col] for col in np.flatnonzero(added[row]).tolist())
            for row, app_id in enumerate(app_ids)
            if added[row].any()
        },
        loads=dict(zip(expert_ids, final.tolist(), strict=True)),
        matched=matched,
        unmatched=int(added.sum()) - matched,
    )
    free = (~conflicted).sum(axis=1, dtype=np.int64) + away
    problems = _what_stops(conflicted, kept, on, free, final, k, app_ids, expert_ids)
    return Partial(plan, tuple(problems))


def _most_pairs(allowed: BoolMatrix, match: BoolMatrix, need: Counts, loads: Counts) -> BoolMatrix:
    """The added pairs of a maximum flow source → expert → application (1) → sink (need) of
    least cost: an expert's j-th further application costs weight × (load + j), which evens
    the loads first (convex), and an unmatched pair 1 more, which weight outweighs.
    Nodes: source 0, experts 1.., applications after them, sink last."""
    n_apps, n_experts = allowed.shape
    rows, cols = np.nonzero(allowed)
    if not len(rows):
        return np.zeros_like(allowed)
    weight = int(need.sum()) + 1
    expert_node = np.arange(1, 1 + n_experts, dtype=np.int32)
    app_node = np.arange(1 + n_experts, 1 + n_experts + n_apps, dtype=np.int32)
    sink = 1 + n_experts + n_apps
    # One unit arc per further application an expert could take, dearer each time.
    room = allowed.sum(axis=0, dtype=np.int64)
    unit_experts = np.repeat(np.arange(n_experts), room)
    steps = np.concatenate([np.arange(1, r + 1, dtype=np.int64) for r in room.tolist()])
    tails = np.concatenate(
        [
            expert_node[cols],
            np.zeros(len(unit_experts), dtype=np.int32),
            app_node,
        ]
    )
    heads = np.concatenate(
        [
            app_node[rows],
            expert_node[unit_experts],
            np.full(n_apps, sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [
            np.ones(len(rows) + len(unit_experts), dtype=np.int64),
            need.astype(np.int64),
        ]
    )
    costs = np.concatenate(
        [
            (~match[rows, cols]).astype(np.int64),
            weight * (loads[unit_experts] + steps),
            np.zeros(n_apps, dtype=np.int64),
        ]
    )
    solver = min_cost_flow.SimpleMinCostFlow()
    arcs = solver.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    total = int(need.sum())
    solver.set_node_supply(0, total)
    solver.set_node_supply(sink, -total)
    if solver.solve_max_flow_with_min_cost() != solver.OPTIMAL:
        raise RuntimeError("min cost flow failed")
    added = np.zeros_like(allowed)
    added[rows, cols] = solver.flows(arcs[: len(rows)]) > 0
    return added


def _what_stops(
    conflicted: BoolMatrix,
    kept: BoolMatrix,
    on: Counts,
    free: Counts,
    final: Counts,
    k: int,
    app_ids: list[int],
    expert_ids: list[int],
) -> list[Problem]:
    problems: list[Problem] = []
    if k > len(expert_ids):
        problems.append(Problem("k_too_large", needed=k, available=len(expert_ids)))
    rows, cols = np.nonzero(conflicted & kept)
    problems.extend(
        Problem("existing_conflict", applications=(app_ids[row],), experts=(expert_ids[col],))
        for row, col in zip(rows.tolist(), cols.tolist(), strict=True)
    )
    problems.extend(
        Problem(
            "existing_too_many",
            applications=(app_ids[row],),
            experts=tuple(expert_ids[col] for col in np.flatnonzero(kept[row]).tolist()),
            needed=k,
            available=int(on[row]),
        )
        for row in np.flatnonzero(on > k).tolist()
    )
    if k <= len(expert_ids):
        problems.extend(
            Problem(
                "too_few_free", applications=(app_ids[row],), needed=k, available=int(free[row])
            )
            for row in np.flatnonzero(free < k).tolist()
        )
    ceil = -(-int(final.sum()) // len(expert_ids))
    if int(final.max()) - int(final.min()) > 1 and (final > ceil).any():
        problems.append(
            Problem(
                "uneven_loads",
                experts=tuple(expert_ids[col] for col in np.flatnonzero(final > ceil).tolist()),
                needed=ceil,
                available=int(final.max()),
            )
        )
    return problems
