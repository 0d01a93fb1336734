"""Scores without Django: checking points against the rubric, sheet totals, aggregation and
the weighted share.

Points are Decimals in half-point steps. Aggregates keep full precision (an exact Fraction)
until the end and are rounded half up to two decimals once (domain.md: "rounding half up at
the end only"); the weighted share is taken from the exact mean, not from the rounded score.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any, Generic, Protocol, TypeVar

HALF = Decimal("0.5")


class Rule(StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"


class PointsError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code  # "negative", "over_max", "step"


def check_points(points: Decimal, max_points: Decimal) -> Decimal:
    if points < 0:
        raise PointsError("negative")
    if points > max_points:
        raise PointsError("over_max")
    if points % HALF != 0:
        raise PointsError("step")
    return points


def sheet_total(points: Sequence[Decimal]) -> Decimal:
    return sum(points, Decimal("0"))


class _SheetKey(Hashable, Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


K = TypeVar("K", bound=_SheetKey)


@dataclass(frozen=True)
class Aggregate(Generic[K]):
    score: Decimal | None  # out of 100, two decimals, rounded half up once
    kept: tuple[K, ...]  # the sheets the mean is taken over, in key order
    dropped: tuple[K, ...]  # (lowest, highest) under the trimmed rule, else empty
    exact: Fraction | None  # the unrounded mean


def aggregate_sheets(totals: Mapping[K, Decimal], *, rule: str, trim_min: int) -> Aggregate[K]:
    """The mean of the sheets' totals, keyed by sheet. With the trimmed rule and at least
    `trim_min` sheets (and never fewer than three), one lowest and one highest are dropped
    first (去掉一个最高分和一个最低分). Among equal totals the sheet with the smallest key is
    the one dropped, on each side, so the same sheets always give the same record."""
    if not totals:
        return Aggregate(score=None, kept=(), dropped=(), exact=None)
    keys = sorted(totals)
    dropped: tuple[K, ...] = ()
    if rule == Rule.TRIMMED_MEAN and len(keys) >= max(trim_min, 3):
        # keys are sorted and min() / max() return the first of equals: the smallest key.
        lowest = min(keys, key=lambda key: totals[key])
        highest = max((key for key in keys if key != lowest), key=lambda key: totals[key])
        dropped = (lowest, highest)
    kept = tuple(key for key in keys if key not in dropped)
    exact = sum((Fraction(totals[key]) for key in kept), Fraction(0)) / len(kept)
    return Aggregate(score=round_half_up(exact), kept=kept, dropped=dropped, exact=exact)


def aggregate(totals: Sequence[Decimal], *, rule: str, trim_min: int) -> Decimal | None:
    """Mean of the totals; with the trimmed rule and at least `trim_min` totals, the highest and
    the lowest are dropped first (去掉一个最高分和一个最低分). None when there is nothing yet."""
    return aggregate_sheets(dict(enumerate(totals)), rule=rule, trim_min=trim_min).score


def weighted(exact: Fraction, weight: int) -> Decimal:
    """The share of a score out of 100 counted at `weight` (the materials part out of 80):
    exact × weight / 100, computed exactly and rounded half up to two decimals once."""
    return round_half_up(exact * weight / 100)


def weighted_share(result: Aggregate[Any], weight: int) -> Decimal | None:
    return None if result.exact is None else weighted(result.exact, weight)


def round_half_up(value: Fraction) -> Decimal:
    """Two decimals, ties away from zero (Decimal's ROUND_HALF_UP), straight from the fraction
    so that no intermediate rounding can move a tie."""
    hundredths = abs(value) * 100
    cents = (2 * hundredths.numerator + hundredths.denominator) // (2 * hundredths.denominator)
    return Decimal(-cents if value < 0 else cents).scaleb(-2)
