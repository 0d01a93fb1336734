"""Scores without Django: checking points against the rubric, sheet totals, and aggregation.

Points are Decimals in half-point steps. Aggregates keep full precision until the end and are
rounded half up to two decimals once (domain.md: "rounding half up at the end only").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HALF = Decimal("0.5")
CENT = Decimal("0.01")


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


def aggregate(totals: Sequence[Decimal], *, rule: str, trim_min: int) -> Decimal | None:
    """Mean of the totals; with the trimmed rule and at least `trim_min` totals, the highest and
    the lowest are dropped first (去掉一个最高分和一个最低分). None when there is nothing yet."""
    if not totals:
        return None
    values = sorted(totals)
    if rule == Rule.TRIMMED_MEAN and len(values) >= trim_min:
        values = values[1:-1]
    mean = sum(values, Decimal("0")) / Decimal(len(values))
    return mean.quantize(CENT, rounding=ROUND_HALF_UP)
