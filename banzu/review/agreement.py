"""How far the experts agree: the spread of one application's totals, each expert's leniency
against the others, and the intraclass correlation over a whole batch.

These are diagnostics shown beside the scores, never scores themselves, so they are floats.
They are computed exactly with fractions and converted once at the end, so that the same
ratings always give the same figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Rating:
    application: int
    expert: int
    total: Decimal


@dataclass(frozen=True)
class Spread:
    n: int
    mean: float
    sd: float  # sample standard deviation (n − 1); 0.0 when n < 2
    range: Decimal  # highest total − lowest total


@dataclass(frozen=True)
class Leniency:
    expert: int
    n: int  # applications compared: rated by this expert and by at least one other
    mean_deviation: float | None  # positive: more generous than the others; None when n == 0


@dataclass(frozen=True)
class Icc:
    single: float  # ICC(1,1): the reliability of one expert's total
    average: float  # ICC(1,k) with k = k0: the reliability of the mean of k0 experts' totals
    bms: float  # between-applications mean square
    wms: float  # within-applications mean square
    k0: float  # the adjusted mean number of ratings per application
    applications: int
    ratings: int


def spread(totals: Sequence[Decimal]) -> Spread:
    """Mean, sample standard deviation and range of one application's totals. With a single
    total the standard deviation is 0.0 (nothing disagrees), not undefined."""
    if not totals:
        raise ValueError("spread of no totals")
    values = [Fraction(total) for total in totals]
    mean = sum(values, Fraction(0)) / len(values)
    if len(values) < 2:
        sd = 0.0
    else:
        squares = sum(((value - mean) ** 2 for value in values), Fraction(0))
        sd = math.sqrt(squares / (len(values) - 1))
    return Spread(n=len(values), mean=float(mean), sd=sd, range=max(totals) - min(totals))


def flagged(figures: Spread, *, sd_above: Decimal) -> bool:
    """Whether the experts disagree enough to look again: standard deviation over the limit."""
    return Decimal(figures.sd) > sd_above


def leniency(ratings: Iterable[Rating]) -> dict[int, Leniency]:
    """For every expert, the mean over the applications they rated that someone else rated too
    of (their total − the mean of the other experts' totals on that application)."""
    by_application = _group(ratings)
    deviations: dict[int, list[Fraction]] = {}
    for totals in by_application.values():
        whole = sum(totals.values(), Fraction(0))
        for expert, total in totals.items():
            others = len(totals) - 1
            found = deviations.setdefault(expert, [])
            if others:
                found.append(total - (whole - total) / others)
    return {
        expert: Leniency(
            expert=expert,
            n=len(found),
            mean_deviation=float(sum(found, Fraction(0)) / len(found)) if found else None,
        )
        for expert, found in sorted(deviations.items())
    }


def icc(ratings: Iterable[Rating]) -> Icc | None:
    """One-way random-effects intraclass correlation, Shrout & Fleiss (1979) case 1: each
    application is rated by its own set of experts, so experts are not a crossed factor.

    From a one-way ANOVA with applications as groups (n applications, N ratings, nᵢ each):
        ICC(1,1) = (BMS − WMS) / (BMS + (k0 − 1)·WMS)
        ICC(1,k) = (BMS − WMS) / BMS
    where k0 = (N − Σ nᵢ² / N) / (n − 1) is the adjusted mean group size of unbalanced
    designs (it equals k when every application has k ratings), used as k in ICC(1,k).

    Applications with fewer than two ratings say nothing about agreement and are left out.
    None when fewer than two applications remain, or when BMS is 0 (all applications have
    the same mean, so ICC(1,k) divides by zero and agreement is undefined).
    """
    groups = [list(totals.values()) for totals in _group(ratings).values() if len(totals) >= 2]
    if len(groups) < 2:
        return None
    count = sum(len(group) for group in groups)
    grand = sum((sum(group, Fraction(0)) for group in groups), Fraction(0)) / count
    between = Fraction(0)
    within = Fraction(0)
    for group in groups:
        mean = sum(group, Fraction(0)) / len(group)
        between += len(group) * (mean - grand) ** 2
        within += sum(((value - mean) ** 2 for value in group), Fraction(0))
    bms = between / (len(groups) - 1)
    wms = within / (count - len(groups))
    if bms == 0:
        return None
    k0 = (count - Fraction(sum(len(group) ** 2 for group in groups), count)) / (len(groups) - 1)
    return Icc(
        single=float((bms - wms) / (bms + (k0 - 1) * wms)),
        average=float((bms - wms) / bms),
        bms=float(bms),
        wms=float(wms),
        k0=float(k0),
        applications=len(groups),
        ratings=count,
    )


def _group(ratings: Iterable[Rating]) -> dict[int, dict[int, Fraction]]:
    """application -> expert -> total, refusing an expert who rated an application twice."""
    grouped: dict[int, dict[int, Fraction]] = defaultdict(dict)
    for rating in ratings:
        totals = grouped[rating.application]
        if rating.expert in totals:
            raise ValueError(f"expert {rating.expert} rated application {rating.application} twice")
        totals[rating.expert] = Fraction(rating.total)
    return grouped
