"""The edition's results without Django (issue 15): each team's 100-point total, the ranking
under the edition's tie rule, the award tiers, the per-room awards and the stability marks.

Figures stay exact (Fractions) until the end: the total is the exact materials mean × weight/100
plus the exact presentation mean, rounded half up to two decimals once
(banzu.scoring.core.round_half_up). Rounding the parts first and adding them could move the last
cent; the tests show a case.

The total of record is that two-decimal figure: it is what the published list shows, so two
teams with the same total are tied, and a reader of the list can see why they are. The tie rule
then looks at the exact aggregates (never at their roundings), and teams still equal share a rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from banzu.scoring.core import aggregate_sheets, round_half_up


class TieRule(StrEnum):
    PRESENTATION_FIRST = "presentation_first"  # higher presentation, then materials, then equal
    MATERIALS_FIRST = "materials_first"  # higher materials, then presentation, then equal
    EQUAL = "equal"  # the same total is the same rank


class TierMode(StrEnum):
    QUOTA = "quota"
    THRESHOLD = "threshold"
    SHARE = "share"


class Side(StrEnum):
    MATERIALS = "materials"
    PRESENTATION = "presentation"


@dataclass(frozen=True)
class Rules:
    materials_weight: int  # 80: the materials score (out of 100) counts at weight/100
    presentation_weight: int  # 20: the presentation sheets are scored out of this
    aggregation_rule: str  # banzu.scoring.core.Rule
    trim_min: int
    tie_rule: TieRule = TieRule.PRESENTATION_FIRST


@dataclass(frozen=True)
class Entry:
    """One ranked team: its counted sheets' totals on each side, keyed by sheet pk."""

    id: int  # the application's pk
    materials: Mapping[int, Decimal]  # materials sheet pk -> total out of 100
    presentation: Mapping[int, Decimal]  # presentation sheet pk -> total out of the weight
    room: int | None = None


@dataclass(frozen=True)
class Total:
    id: int
    materials_exact: Fraction  # the mean out of 100 under the edition's aggregation
    materials_share: Decimal  # materials_exact × weight / 100, two decimals, rounded once
    presentation_exact: Fraction  # the mean out of the presentation weight
    presentation: Decimal  # two decimals
    total_exact: Fraction  # materials_exact × weight / 100 + presentation_exact
    total: Decimal  # total_exact rounded half up to two decimals, once
    materials_dropped: tuple[int, ...]  # sheet pks left out by the trimmed mean
    presentation_dropped: tuple[int, ...]
    materials_score: Decimal  # materials_exact to two decimals (out of 100)

    @property
    def dropped(self) -> tuple[tuple[str, int], ...]:
        """Every sheet left out by the trimmed mean, as (side, sheet pk)."""
        return tuple((Side.MATERIALS.value, pk) for pk in self.materials_dropped) + tuple(
            (Side.PRESENTATION.value, pk) for pk in self.presentation_dropped
        )


def total(entry: Entry, rules: Rules) -> Total:
    """The team's total from its sheets. ValueError when a side has no sheet: such a team is
    not ranked (the caller lists it apart with its reason)."""
    materials = aggregate_sheets(
        entry.materials, rule=rules.aggregation_rule, trim_min=rules.trim_min
    )
    presentation = aggregate_sheets(
        entry.presentation, rule=rules.aggregation_rule, trim_min=rules.trim_min
    )
    if materials.exact is None or presentation.exact is None:
        side = Side.MATERIALS if materials.exact is None else Side.PRESENTATION
        raise ValueError(f"application {entry.id} has no {side} sheet")
    share_exact = materials.exact * rules.materials_weight / 100
    total_exact = share_exact + presentation.exact
    return Total(
        id=entry.id,
        materials_exact=materials.exact,
        materials_share=round_half_up(share_exact),
        presentation_exact=presentation.exact,
        presentation=round_half_up(presentation.exact),
        total_exact=total_exact,
        total=round_half_up(total_exact),
        materials_dropped=materials.dropped,
        presentation_dropped=presentation.dropped,
        materials_score=round_half_up(materials.exact),
    )


def totals(entries: Sequence[Entry], rules: Rules) -> list[Total]:
    return [total(entry, rules) for entry in entries]


@dataclass(frozen=True)
class Ranked:
    total: Total
    rank: int  # competition ranking: 1, 2, 2, 4

    @property
    def id(self) -> int:
        return self.total.id


Key = tuple[Decimal | Fraction, ...]


def rank_key(found: Total, tie_rule: TieRule) -> Key:
    """What the ranking compares, higher first: the total of record, then the tie rule's exact
    aggregates. Two teams with equal keys share a rank."""
    if tie_rule == TieRule.PRESENTATION_FIRST:
        return (found.total, found.presentation_exact, found.materials_exact)
    if tie_rule == TieRule.MATERIALS_FIRST:
        return (found.total, found.materials_exact, found.presentation_exact)
    return (found.total,)


def _sort_key(found: Total, tie_rule: TieRule) -> tuple[Decimal | Fraction | int, ...]:
    # Descending by the rank key, then ascending by id: teams sharing a rank are listed in
    # application order, so the same figures always give the same list.
    return (*(-value for value in rank_key(found, tie_rule)), found.id)


def rank(totals: Sequence[Total], tie_rule: TieRule) -> list[Ranked]:
    """The teams in rank order. A team's rank is one more than the number of teams whose key
    (rank_key) is higher; teams with equal keys share it and are listed by id."""
    ordered = sorted(totals, key=lambda found: _sort_key(found, tie_rule))
    ranked: list[Ranked] = []
    previous: Key | None = None
    for position, found in enumerate(ordered):
        key = rank_key(found, tie_rule)
        number = ranked[-1].rank if key == previous else position + 1
        ranked.append(Ranked(total=found, rank=number))
        previous = key
    return ranked
