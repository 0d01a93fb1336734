"""Fairness across the event's rooms, without Django: each room's mean presentation score and
its spread against the whole event, each expert's leniency within their room, and the pairs of
rooms whose means differ by more than the event's limit.

These are diagnostics shown to the admin beside the scores; nothing here changes a score. The
arithmetic is exact (fractions) and every figure is rounded half up to two decimals once, at the
end, by the same rounding as the scores (banzu.scoring.core.round_half_up). The standard
deviation is rounded straight from the exact variance with integer square roots, so no float or
intermediate rounding can move a figure.

A room's figures are taken over its teams' presentation scores as published (two decimals): the
figures the admin reads on the page, so anyone can recompute them by hand.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import combinations
from typing import Any, Generic, Protocol, TypeVar

from banzu.scoring.core import round_half_up


class _Key(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_Key)


@dataclass(frozen=True)
class Spread:
    """Mean, sample standard deviation (n − 1) and range of a list of scores."""

    n: int
    exact_mean: Fraction | None  # None when there is no score
    variance: Fraction | None  # sample variance; None when n < 2
    low: Decimal | None
    high: Decimal | None

    @property
    def mean(self) -> Decimal | None:
        return None if self.exact_mean is None else round_half_up(self.exact_mean)

    @property
    def sd(self) -> Decimal | None:
        """The sample standard deviation, two decimals rounded half up; None below two scores."""
        return None if self.variance is None else sqrt_half_up(self.variance)


def spread(scores: Sequence[Decimal]) -> Spread:
    if not scores:
        return Spread(n=0, exact_mean=None, variance=None, low=None, high=None)
    values = [Fraction(score) for score in scores]
    mean = sum(values, Fraction(0)) / len(values)
    variance = (
        sum(((value - mean) ** 2 for value in values), Fraction(0)) / (len(values) - 1)
        if len(values) >= 2
        else None
    )
    return Spread(
        n=len(values), exact_mean=mean, variance=variance, low=min(scores), high=max(scores)
    )


def sqrt_half_up(value: Fraction) -> Decimal:
    """√value to two decimals, ties rounded up, exactly: the largest c with c − ½ ≤ 100·√value,
    that is (2c − 1)² ≤ 40000·value, so 2c − 1 ≤ ⌊√⌊40000·value⌋⌋."""
    if value < 0:
        raise ValueError("square root of a negative number")
    root = math.isqrt(math.floor(value * 40000))
    return Decimal((root + 1) // 2).scaleb(-2)


def difference(first: Fraction, second: Fraction) -> Decimal:
    """|first − second|, two decimals rounded half up once."""
    return round_half_up(abs(first - second))


def signed(value: Fraction) -> Decimal:
    return round_half_up(value)


# --- Rooms ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap(Generic[K]):
    """Two rooms whose means differ by more than the limit."""

    higher: K
    lower: K
    difference: Decimal  # the means' difference, two decimals rounded half up once


def gaps(means: Mapping[K, Fraction | None], *, limit: Decimal) -> list[Gap[K]]:
    """Every pair of rooms whose exact means differ, rounded half up to two decimals, by more
    than `limit`: the figure compared is the figure shown. Largest difference first; rooms
    without a score take no part."""
    scored = sorted((key, mean) for key, mean in means.items() if mean is not None)
    found: list[Gap[K]] = []
    for (first, first_mean), (second, second_mean) in combinations(scored, 2):
        apart = difference(first_mean, second_mean)
        if apart > limit:
            higher, lower = (first, second) if first_mean >= second_mean else (second, first)
            found.append(Gap(higher=higher, lower=lower, difference=apart))
    found.sort(key=lambda gap: -gap.difference)
    return found


# --- Experts ----------------------------------------------------------------------------------

E = TypeVar("E", bound=_Key)
T = TypeVar("T", bound=Hashable)


@dataclass(frozen=True)
class Rating(Generic[T, E]):
    team: T
    expert: E
    total: Decimal


@dataclass(frozen=True)
class Leniency(Generic[E]):
    expert: E
    n: int  # teams compared: scored by this expert and by at least one other
    exact: Fraction | None  # mean deviation; positive: more generous. None when n == 0

    @property
    def mean_deviation(self) -> Decimal | None:
        return None if self.exact is None else round_half_up(self.exact)


def leniency(ratings: Iterable[Rating[T, E]]) -> dict[E, Leniency[E]]:
    """For every expert of one room: over the teams they scored that another member scored too,
    the mean of (their total − the mean of the other members' totals on that team). The same
    definition as the materials review's (banzu.review.agreement.leniency), kept exact."""
    by_team: dict[T, dict[E, Fraction]] = {}
    for rating in ratings:
        totals = by_team.setdefault(rating.team, {})
        if rating.expert in totals:
            raise ValueError(f"expert {rating.expert!r} scored team {rating.team!r} twice")
        totals[rating.expert] = Fraction(rating.total)
    deviations: dict[E, list[Fraction]] = {}
    for totals in by_team.values():
        whole = sum(totals.values(), Fraction(0))
        others = len(totals) - 1
        for expert, total in totals.items():
            found = deviations.setdefault(expert, [])
            if others:
                found.append(total - (whole - total) / others)
    return {
        expert: Leniency(
            expert=expert,
            n=len(found),
            exact=sum(found, Fraction(0)) / len(found) if found else None,
        )
        for expert, found in sorted(deviations.items())
    }
