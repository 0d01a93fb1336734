"""Expert assignment: exact plans and problems on small cases, properties on random ones, and an
exhaustive search on tiny ones that the flow must agree with."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Collection, Mapping

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from banzu.review.assignment import Candidate, NoAssignment, Plan, Problem, Reviewer, assign

INDUSTRIES = ("building", "bridge", "tunnel")


def pool(*ids: int, specialities: Collection[str] = ()) -> list[Reviewer]:
    return [Reviewer(id=expert, specialities=frozenset(specialities)) for expert in ids]


def problems_of(**arguments: object) -> tuple[Problem, ...]:
    with pytest.raises(NoAssignment) as refused:
        assign(**arguments)  # type: ignore[arg-type]
    return refused.value.problems


# --- exact plans ------------------------------------------------------------------------------


def test_assign_prefers_experts_of_the_application_industry():
    candidates = [Candidate(1, "bridge"), Candidate(2, "tunnel")]
    reviewers = [
        Reviewer(10, frozenset({"tunnel"})),
        Reviewer(11, frozenset({"bridge"})),
        Reviewer(12, frozenset({"bridge", "tunnel"})),
        Reviewer(13, frozenset({"building"})),
    ]

    plan = assign(candidates=candidates, reviewers=reviewers, k=2, conflicts=set())

    # Four slots over four experts: each takes one. Expert 13 matches neither, so one pair
    # must go unmatched; the other three match.
    assert plan.matched == 3
    assert plan.unmatched == 1
    assert plan.loads == {10: 1, 11: 1, 12: 1, 13: 1}
    assert sorted(plan.new) == [1, 2]
    assert all(len(experts) == 2 for experts in plan.new.values())
    assert {10, 11, 12, 13} == set(plan.new[1]) | set(plan.new[2])


def test_assign_keeps_existing_experts_and_counts_them_in_the_loads():
    candidates = [Candidate(1, "bridge"), Candidate(2, "bridge"), Candidate(3, "bridge")]
    reviewers = pool(10, 11, 12, specialities={"bridge"})

    plan = assign(
        candidates=candidates,
        reviewers=reviewers,
        k=2,
        conflicts={(3, 10)},
        existing={1: [10, 11], 2: [10]},
    )

    assert plan == Plan(
        new={1: (), 2: (12,), 3: (11, 12)},
        loads={10: 2, 11: 2, 12: 2},
        matched=3,
        unmatched=0,
    )


def test_assign_with_no_candidates_returns_an_empty_plan():
    plan = assign(candidates=[], reviewers=pool(1, 2), k=3, conflicts=set())

    assert plan == Plan(new={}, loads={1: 0, 2: 0}, matched=0, unmatched=0)


def test_assign_is_independent_of_input_order():
    candidates = [Candidate(n, INDUSTRIES[n % 3]) for n in range(1, 13)]
    reviewers = [Reviewer(100 + n, frozenset({INDUSTRIES[n % 3]})) for n in range(7)]
    conflicts = {(1, 100), (2, 101), (5, 103), (8, 106)}

    forward = assign(candidates=candidates, reviewers=reviewers, k=3, conflicts=conflicts)
    backward = assign(
        candidates=candidates[::-1], reviewers=reviewers[::-1], k=3, conflicts=conflicts
    )

    assert forward == backward


@pytest.mark.parametrize(
    ("k", "existing", "message"),
    [
        (0, {}, "k must be at least 1"),
        (1, {9: [1]}, "existing names application 9, which is not a candidate"),
        (1, {1: [9]}, "existing names an expert of application 1 not in the pool"),
        (2, {1: [1, 1]}, "existing names an expert twice on application 1"),
    ],
)
def test_assign_refuses_malformed_input(k, existing, message):
    with pytest.raises(ValueError, match=message):
        assign(
            candidates=[Candidate(1, "bridge")],
            reviewers=pool(1, 2),
            k=k,
            conflicts=set(),
            existing=existing,
        )


# --- one example per problem ------------------------------------------------------------------


def test_problem_no_reviewers():
    problems = problems_of(candidates=[Candidate(1, "bridge")], reviewers=[], k=1, conflicts=())

    assert problems == (Problem("no_reviewers"),)


def test_problem_k_too_large():
    problems = problems_of(
        candidates=[Candidate(1, "bridge")], reviewers=pool(1, 2), k=3, conflicts=()
    )

    assert problems == (Problem("k_too_large", needed=3, available=2),)


def test_problem_existing_conflict_lists_every_conflicted_pair():
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(1, 2, 3),
        k=2,
        conflicts={(1, 2), (2, 3), (2, 1)},
        existing={1: [1, 2], 2: [3]},
    )

    assert problems == (
        Problem("existing_conflict", applications=(1,), experts=(2,)),
        Problem("existing_conflict", applications=(2,), experts=(3,)),
    )


def test_problem_existing_too_many():
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(1, 2, 3),
        k=2,
        conflicts=(),
        existing={2: [3, 1, 2]},
    )

    assert problems == (
        Problem("existing_too_many", applications=(2,), experts=(1, 2, 3), needed=2, available=3),
    )


def test_problem_expert_over():
    # Three slots over three experts: nobody may hold more than one.
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge"), Candidate(3, "bridge")],
        reviewers=pool(1, 2, 3),
        k=1,
        conflicts=(),
        existing={1: [1], 2: [1]},
    )

    assert problems == (Problem("expert_over", experts=(1,), needed=1, available=2),)


def test_problem_application_short_when_its_enterprise_conflicts_with_all_but_two():
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(1, 2, 3, 4, 5),
        k=3,
        conflicts={(1, 1), (1, 2), (1, 3)},
    )

    assert problems == (Problem("application_short", applications=(1,), needed=3, available=2),)


def test_problem_application_short_counts_the_experts_already_on_it():
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge"), Candidate(3, "bridge")],
        reviewers=pool(1, 2, 3, 4),
        k=3,
        conflicts={(1, 3), (1, 4), (2, 4)},
        existing={2: [1]},
    )

    # Application 1 can only have experts 1 and 2; application 2 still needs two of 2 and 3.
    assert problems == (Problem("application_short", applications=(1,), needed=3, available=2),)


def test_problem_group_short_when_two_applications_share_two_free_experts():
    # Four slots over four experts: each takes one, but 1 and 2 are the only ones free of
    # conflicts with both applications, which need four.
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(1, 2, 3, 4),
        k=2,
        conflicts={(1, 3), (1, 4), (2, 3), (2, 4)},
    )

    assert problems == (
        Problem("group_short", applications=(1, 2), experts=(1, 2), needed=4, available=2),
    )


def test_problem_group_short_reports_groups_that_share_no_expert_apart():
    # Eight slots over eight experts: each takes one. Applications 1 and 2 are free only of
    # experts 1 and 2, applications 3 and 4 only of experts 3 and 4.
    free = {(1, 1), (1, 2), (2, 1), (2, 2), (3, 3), (3, 4), (4, 3), (4, 4)}
    conflicts = {(a, e) for a in (1, 2, 3, 4) for e in range(1, 9)} - free

    problems = problems_of(
        candidates=[Candidate(n, "bridge") for n in (1, 2, 3, 4)],
        reviewers=pool(*range(1, 9)),
        k=2,
        conflicts=conflicts,
    )

    assert problems == (
        Problem("group_short", applications=(1, 2), experts=(1, 2), needed=4, available=2),
        Problem("group_short", applications=(3, 4), experts=(3, 4), needed=4, available=2),
    )


def test_problem_experts_underused_when_an_expert_conflicts_with_every_application():
    # Four slots over three experts: everyone must take at least one, expert 3 can take none.
    problems = problems_of(
        candidates=[Candidate(n, "bridge") for n in (1, 2, 3, 4)],
        reviewers=pool(1, 2, 3),
        k=1,
        conflicts={(n, 3) for n in (1, 2, 3, 4)},
    )

    assert problems == (Problem("experts_underused", experts=(3,), needed=1, available=0),)


def test_problem_experts_underused_when_kept_loads_leave_too_little_for_the_others():
    # Six slots over four experts: loads 1 or 2. The kept pairs already fill every application
    # and put experts 1, 2 and 3 on 2, so expert 4 must take one where no slot is left.
    problems = problems_of(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge"), Candidate(3, "bridge")],
        reviewers=pool(1, 2, 3, 4),
        k=2,
        conflicts=(),
        existing={1: [1, 2], 2: [2, 3], 3: [1, 3]},
    )

    assert problems == (
        Problem("experts_underused", applications=(1, 2, 3), experts=(4,), needed=1, available=0),
    )


# --- properties -------------------------------------------------------------------------------


@st.composite
def instances(draw: st.DrawFn, max_apps: int, max_experts: int, max_k: int) -> dict[str, object]:
    n_apps = draw(st.integers(0, max_apps))
    n_experts = draw(st.integers(1, max_experts))
    k = draw(st.integers(1, min(max_k, n_experts + 1)))
    candidates = [Candidate(n, draw(st.sampled_from(INDUSTRIES))) for n in range(1, n_apps + 1)]
    reviewers = [
        Reviewer(100 + n, frozenset(draw(st.sets(st.sampled_from(INDUSTRIES), max_size=3))))
        for n in range(n_experts)
    ]
    # Experts conflict with the applications of their own enterprise, plus a few random pairs.
    enterprises = draw(st.integers(1, 4))
    enterprise = {c.id: draw(st.integers(0, enterprises - 1)) for c in candidates}
    enterprise |= {r.id: draw(st.integers(0, enterprises)) for r in reviewers}
    pairs = [(c.id, r.id) for c in candidates for r in reviewers]
    density = draw(st.sampled_from((0.0, 0.05, 0.2)))
    conflicts = {
        (a, e)
        for a, e in pairs
        if enterprise[a] == enterprise[e] or draw(st.floats(0, 1)) < density
    }
    existing: dict[int, list[int]] = {}
    if draw(st.booleans()):
        for candidate in candidates:
            free = [r.id for r in reviewers if (candidate.id, r.id) not in conflicts]
            chosen = draw(st.lists(st.sampled_from(free), unique=True, max_size=k)) if free else []
            if chosen:
                existing[candidate.id] = chosen
    return {
        "candidates": candidates,
        "reviewers": reviewers,
        "k": k,
        "conflicts": conflicts,
        "existing": existing,
    }


def check_plan(plan: Plan, instance: dict[str, object]) -> None:
    candidates: list[Candidate] = instance["candidates"]  # type: ignore[assignment]
    reviewers: list[Reviewer] = instance["reviewers"]  # type: ignore[assignment]
    conflicts: set[tuple[int, int]] = instance["conflicts"]  # type: ignore[assignment]
    existing: dict[int, list[int]] = instance["existing"]  # type: ignore[assignment]
    k: int = instance["k"]  # type: ignore[assignment]
    specialities = {r.id: r.specialities for r in reviewers}
    loads: Counter[int] = Counter()
    matched = 0
    assert set(plan.new) == {c.id for c in candidates}
    for candidate in candidates:
        kept, added = set(existing.get(candidate.id, ())), plan.new[candidate.id]
        assert list(added) == sorted(set(added))
        assert kept.isdisjoint(added)
        assert len(kept) + len(added) == k
        for expert in kept | set(added):
            assert (candidate.id, expert) not in conflicts
            loads[expert] += 1
        matched += sum(candidate.industry in specialities[expert] for expert in added)
    assert plan.loads == {r.id: loads[r.id] for r in reviewers}
    if reviewers:
        assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
    assert (plan.matched, plan.unmatched) == (matched, sum(map(len, plan.new.values())) - matched)


def check_problem(problem: Problem, instance: dict[str, object]) -> None:
    """Each problem must be a proof on its own that no balanced assignment exists."""
    candidates: list[Candidate] = instance["candidates"]  # type: ignore[assignment]
    reviewers: list[Reviewer] = instance["reviewers"]  # type: ignore[assignment]
    conflicts: set[tuple[int, int]] = instance["conflicts"]  # type: ignore[assignment]
    existing: dict[int, list[int]] = instance["existing"]  # type: ignore[assignment]
    k: int = instance["k"]  # type: ignore[assignment]
    slots, count = k * len(candidates), len(reviewers)
    loads = Counter(e for kept in existing.values() for e in kept)
    kept = {(a, e) for a, experts in existing.items() for e in experts}
    need = {c.id: k - len(existing.get(c.id, ())) for c in candidates}

    def free(a: int, e: int) -> bool:
        return (a, e) not in conflicts and (a, e) not in kept

    if problem.code == "group_short":
        ceil = -(-slots // count)
        degree = {r.id: sum(free(a, r.id) for a in problem.applications) for r in reviewers}
        assert problem.experts == tuple(e for e in sorted(degree) if degree[e])
        assert problem.needed == sum(need[a] for a in problem.applications)
        assert problem.available == sum(min(d, ceil - loads[e]) for e, d in degree.items())
        assert problem.needed > problem.available
    elif problem.code == "experts_underused":
        floor = slots // count
        degree = {c.id: sum(free(c.id, e) for e in problem.experts) for c in candidates}
        assert problem.applications == tuple(a for a in sorted(degree) if degree[a])
        assert all(floor > loads[e] for e in problem.experts)
        assert problem.needed == sum(floor - loads[e] for e in problem.experts)
        assert problem.available == sum(min(d, need[a]) for a, d in degree.items())
        assert problem.needed > problem.available
    elif problem.code == "application_short":
        (a,) = problem.applications
        available = sum(free(a, r.id) for r in reviewers)
        assert (problem.needed, problem.available) == (need[a], available)
        assert available < need[a]
    elif problem.code == "expert_over":
        (e,) = problem.experts
        assert (problem.needed, problem.available) == (-(-slots // count), loads[e])
        assert loads[e] > problem.needed
    elif problem.code == "existing_too_many":
        (a,) = problem.applications
        assert len(existing[a]) > k
    elif problem.code == "existing_conflict":
        (a,), (e,) = problem.applications, problem.experts
        assert (a, e) in conflicts
        assert (a, e) in kept
    elif problem.code == "k_too_large":
        assert k > count
    else:
        assert (problem.code, count) == ("no_reviewers", 0)


def brute_force(instance: dict[str, object]) -> int | None:
    """The most matched pairs over every balanced valid assignment, by exhaustive search
    (only loads above ceil(T/E) are pruned early), or None when there is none."""
    candidates: list[Candidate] = instance["candidates"]  # type: ignore[assignment]
    reviewers: list[Reviewer] = instance["reviewers"]  # type: ignore[assignment]
    conflicts: set[tuple[int, int]] = instance["conflicts"]  # type: ignore[assignment]
    existing: Mapping[int, list[int]] = instance["existing"]  # type: ignore[assignment]
    k: int = instance["k"]  # type: ignore[assignment]
    if not candidates:
        return 0
    if not reviewers:
        return None
    ceil = -(-k * len(candidates) // len(reviewers))
    loads = Counter(e for kept in existing.values() for e in kept)
    options = []
    for c in candidates:
        kept = existing.get(c.id, [])
        if any((c.id, e) in conflicts for e in kept) or len(kept) > k:
            return None
        free = [r for r in reviewers if (c.id, r.id) not in conflicts and r.id not in kept]
        options.append([(c, combo) for combo in itertools.combinations(free, k - len(kept))])
    best: int | None = None

    def search(index: int, matched: int) -> None:
        nonlocal best
        if any(load > ceil for load in loads.values()):
            return
        if index == len(options):
            values = [loads[r.id] for r in reviewers]
            if max(values) - min(values) <= 1 and (best is None or matched > best):
                best = matched
            return
        for candidate, combo in options[index]:
            for r in combo:
                loads[r.id] += 1
            gained = sum(candidate.industry in r.specialities for r in combo)
            search(index + 1, matched + gained)
            for r in combo:
                loads[r.id] -= 1

    search(0, 0)
    return best


def outcome(instance: dict[str, object]) -> Plan | tuple[Problem, ...]:
    """The plan, or the problems when there is none (noted as a Hypothesis event)."""
    try:
        plan = assign(**instance)  # type: ignore[arg-type]
    except NoAssignment as refused:
        event(refused.problems[0].code if refused.problems else "no problems")
        return refused.problems
    event("plan")
    return plan


@settings(max_examples=300, deadline=None)
@given(instances(max_apps=25, max_experts=12, max_k=5))
def test_assign_plans_are_valid_and_refusals_are_proved(instance):
    result = outcome(instance)

    if isinstance(result, Plan):
        check_plan(result, instance)
    else:
        assert len({problem.code for problem in result}) == 1
        for problem in result:
            check_problem(problem, instance)


@settings(max_examples=400, deadline=None)
@given(instances(max_apps=5, max_experts=5, max_k=3))
def test_assign_agrees_with_exhaustive_search_on_tiny_instances(instance):
    best = brute_force(instance)

    result = outcome(instance)

    if isinstance(result, Plan):
        check_plan(result, instance)
        assert result.matched == best
    else:
        assert (best, len(result) > 0) == (None, True)
