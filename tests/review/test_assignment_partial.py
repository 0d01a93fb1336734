"""The admin's automatic assignment assigns what it can (issue 17, item 8): the exact plan when
there is one, otherwise every pair the conflicts allow with loads as even as they can be, the
assignments already made untouched, and the problems that stop the rest."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banzu.review.assignment import (
    Candidate,
    NoAssignment,
    Partial,
    Problem,
    Reviewer,
    assign,
    assign_what_can,
)
from tests.review.test_assignment import INDUSTRIES, pool


def test_the_exact_plan_when_there_is_one():
    arguments = {
        "candidates": [Candidate(1, "bridge"), Candidate(2, "tunnel")],
        "reviewers": [Reviewer(10, frozenset({"tunnel"})), *pool(11, 12, specialities={"bridge"})],
        "k": 2,
        "conflicts": {(1, 10)},
    }

    partial = assign_what_can(**arguments)

    assert partial == Partial(assign(**arguments), ())


def test_applications_over_k_are_left_alone_and_the_others_get_their_experts():
    candidates = [Candidate(n, "bridge") for n in (1, 2, 3)]

    partial = assign_what_can(
        candidates=candidates,
        reviewers=pool(10, 11, 12, 13),
        k=2,
        conflicts=set(),
        existing={1: [10, 11, 12]},
    )

    # 2 and 3 need four places over loads 1, 1, 1, 0: the loads end 2, 2, 2, 1.
    assert sorted(partial.plan.new) == [2, 3]
    assert [len(partial.plan.new[a]) for a in (2, 3)] == [2, 2]
    assert sorted(partial.plan.loads.values()) == [1, 2, 2, 2]
    assert (partial.plan.matched, partial.plan.unmatched) == (0, 4)
    assert partial.problems == (
        Problem(
            "existing_too_many", applications=(1,), experts=(10, 11, 12), needed=2, available=3
        ),
    )
    # The exact core refuses the same instance outright.
    with pytest.raises(NoAssignment):
        assign(
            candidates=candidates,
            reviewers=pool(10, 11, 12, 13),
            k=2,
            conflicts=set(),
            existing={1: [10, 11, 12]},
        )


def test_an_application_with_too_few_free_experts_gets_those_it_has():
    partial = assign_what_can(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge"), Candidate(3, "bridge")],
        reviewers=pool(10, 11, 12),
        k=3,
        conflicts={(1, 10), (1, 11), (2, 10)},
    )

    assert partial.plan.new == {1: (12,), 2: (11, 12), 3: (10, 11, 12)}
    assert partial.plan.loads == {10: 1, 11: 2, 12: 3}
    assert partial.problems == (
        Problem("too_few_free", applications=(1,), needed=3, available=1),
        Problem("too_few_free", applications=(2,), needed=3, available=2),
        Problem("uneven_loads", experts=(12,), needed=2, available=3),
    )


def test_experts_no_longer_in_the_pool_count_towards_k_and_take_nothing_more():
    partial = assign_what_can(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(10, 11),
        k=2,
        conflicts=set(),
        existing={1: [10, 99]},
    )

    assert partial.plan.new == {2: (10, 11)}
    assert partial.plan.loads == {10: 2, 11: 1}
    assert partial.problems == ()


def test_a_kept_pair_in_conflict_is_reported_and_kept():
    partial = assign_what_can(
        candidates=[Candidate(1, "bridge"), Candidate(2, "bridge")],
        reviewers=pool(10, 11, 12),
        k=2,
        conflicts={(1, 10)},
        existing={1: [10]},
    )

    # 10 stays on 1 (in conflict, for the admin to remove); 1 gets one more, 2 gets two.
    assert [len(partial.plan.new[a]) for a in (1, 2)] == [1, 2]
    assert 10 not in partial.plan.new[1]
    assert sum(partial.plan.loads.values()) == 4
    assert partial.problems == (Problem("existing_conflict", applications=(1,), experts=(10,)),)


def test_no_reviewers_and_k_too_large_are_said():
    empty = assign_what_can(candidates=[Candidate(1, "bridge")], reviewers=[], k=3, conflicts=())
    few = assign_what_can(
        candidates=[Candidate(1, "bridge")], reviewers=pool(10, 11), k=3, conflicts=()
    )

    assert empty.problems == (Problem("no_reviewers"),)
    assert empty.plan.new == {}
    assert few.plan.new == {1: (10, 11)}
    assert few.problems == (Problem("k_too_large", needed=3, available=2),)


# --- properties -------------------------------------------------------------------------------


@st.composite
def messy(draw: st.DrawFn) -> dict[str, object]:
    """Instances with kept pairs over k, in conflict and of experts outside the pool."""
    n_apps = draw(st.integers(0, 12))
    n_experts = draw(st.integers(0, 8))
    k = draw(st.integers(1, 5))
    candidates = [Candidate(n, draw(st.sampled_from(INDUSTRIES))) for n in range(1, n_apps + 1)]
    reviewers = [
        Reviewer(100 + n, frozenset(draw(st.sets(st.sampled_from(INDUSTRIES), max_size=2))))
        for n in range(n_experts)
    ]
    ids = [r.id for r in reviewers] + [999]
    conflicts = {(c.id, r.id) for c in candidates for r in reviewers if draw(st.floats(0, 1)) < 0.3}
    existing = {
        c.id: chosen
        for c in candidates
        if (chosen := draw(st.lists(st.sampled_from(ids), unique=True, max_size=k + 1)))
    }
    return {
        "candidates": candidates,
        "reviewers": reviewers,
        "k": k,
        "conflicts": conflicts,
        "existing": existing,
    }


@settings(max_examples=300, deadline=None)
@given(messy())
def test_every_pair_that_can_be_added_is_and_loads_cannot_be_evened_by_one_move(instance):
    candidates: list[Candidate] = instance["candidates"]  # type: ignore[assignment]
    reviewers: list[Reviewer] = instance["reviewers"]  # type: ignore[assignment]
    conflicts: set[tuple[int, int]] = instance["conflicts"]  # type: ignore[assignment]
    existing: dict[int, list[int]] = instance["existing"]  # type: ignore[assignment]
    k: int = instance["k"]  # type: ignore[assignment]

    plan = assign_what_can(**instance).plan  # type: ignore[arg-type]

    pool_ids = {r.id for r in reviewers}
    loads = Counter(e for kept in existing.values() for e in kept if e in pool_ids)
    for candidate in candidates:
        kept = set(existing.get(candidate.id, ()))
        added = plan.new.get(candidate.id, ())
        free = [
            r.id for r in reviewers if (candidate.id, r.id) not in conflicts and r.id not in kept
        ]
        assert kept.isdisjoint(added)
        assert set(added) <= set(free)
        assert len(added) == min(max(k - len(kept), 0), len(free))
        loads.update(added)
    assert plan.loads == {r.id: loads[r.id] for r in reviewers}
    # No added pair could move to a free expert with two or more fewer applications.
    for candidate in candidates:
        added = plan.new.get(candidate.id, ())
        taken = set(existing.get(candidate.id, ())) | set(added)
        for expert in added:
            for other in reviewers:
                if other.id not in taken and (candidate.id, other.id) not in conflicts:
                    assert loads[other.id] >= loads[expert] - 1
