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

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from itertools import pairwise

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


@dataclass(frozen=True)
class Tier:
    """An award tier, highest first; which field counts depends on the edition's TierMode."""

    name: str
    quota: int | None = None  # QUOTA: how many teams
    min_score: Decimal | None = None  # THRESHOLD: the lowest total that earns it
    share_percent: Decimal | None = None  # SHARE: its share of the ranked teams, in percent


def _check_tiers(tiers: Sequence[Tier], mode: TierMode) -> None:
    for tier in tiers:
        value = {
            TierMode.QUOTA: tier.quota,
            TierMode.THRESHOLD: tier.min_score,
            TierMode.SHARE: tier.share_percent,
        }[mode]
        if value is None or value < 0:
            raise ValueError(f"tier {tier.name!r} needs a non-negative value for mode {mode}")


def boundaries(tiers: Sequence[Tier], mode: TierMode, count: int) -> list[int]:
    """How many of `count` ranked teams tiers 0..i take together, before ties are kept whole:
    the running sum of the quotas (QUOTA), or round half up of the running sum of the shares
    × count / 100 (SHARE), never more than count."""
    _check_tiers(tiers, mode)
    found: list[int] = []
    running: Fraction = Fraction(0)
    for tier in tiers:
        if mode == TierMode.QUOTA:
            running += tier.quota or 0
            cut = int(running)
        elif mode == TierMode.SHARE:
            running += Fraction(tier.share_percent or 0)
            cut = int(running * count / 100 + Fraction(1, 2))  # half up; non-negative
        else:
            raise ValueError("score thresholds have no rank boundaries")
        found.append(min(cut, count))
    return found


def _tier_indices(
    ranks: Sequence[int], scores: Sequence[Decimal], tiers: Sequence[Tier], mode: TierMode
) -> list[int | None]:
    """The tier of each team, by position in rank order."""
    if mode == TierMode.THRESHOLD:
        _check_tiers(tiers, mode)
        return [
            next(
                (i for i, tier in enumerate(tiers) if (tier.min_score or Decimal(0)) <= score),
                None,
            )
            for score in scores
        ]
    count = len(ranks)
    found: list[int | None] = [None] * count
    start = 0
    for index, cut in enumerate(boundaries(tiers, mode, count)):
        end = max(cut, start)
        # Never split a tie: teams sharing the rank at the boundary all go into this tier.
        while 0 < end < count and ranks[end] == ranks[end - 1]:
            end += 1
        for position in range(start, end):
            found[position] = index
        start = end
    return found


def assign_tiers(
    ranked: Sequence[Ranked], tiers: Sequence[Tier], mode: TierMode
) -> dict[int, int | None]:
    """Each ranked team's tier: its index in `tiers` (0 the highest), or None. `ranked` is in
    rank order, as rank() returns it.

    - QUOTA: tier i takes the next `quota` teams in rank order. Teams sharing a rank at the
      boundary all go into the higher tier (a tie is never split), and the next tier's count
      shrinks accordingly: exactly, tiers 0..i together take the first B_i teams, where B_i is
      the running sum of the quotas, moved down past the end of any tie it falls into (and
      never fewer than tiers 0..i-1 took, nor more than the teams there are).
    - SHARE: the same, with B_i = round half up(running sum of share_percent × N / 100) of the
      N ranked teams.
    - THRESHOLD: a team gets the highest tier whose min_score ≤ its total (the two-decimal
      total of record), or None. Teams sharing a rank share a total, so ties are never split.

    Each team gets at most one tier.
    """
    ranks = [entry.rank for entry in ranked]
    if any(later < earlier for earlier, later in pairwise(ranks)):
        raise ValueError("ranked teams must be in rank order")
    found = _tier_indices(ranks, [entry.total.total for entry in ranked], tiers, mode)
    return {entry.id: tier for entry, tier in zip(ranked, found, strict=True)}


def room_awards(totals: Sequence[Total], rooms: Mapping[int, int]) -> dict[int, tuple[int, ...]]:
    """Per room (最佳发布奖): the teams with the room's highest presentation score, every one of
    them when several share it, by id. The score compared is the two-decimal one the list
    shows. `rooms` maps an application id to its room; teams without a room are left out."""
    best: dict[int, Decimal] = {}
    winners: dict[int, list[int]] = {}
    for found in sorted(totals, key=lambda found: found.id):
        room = rooms.get(found.id)
        if room is None:
            continue
        if room not in best or found.presentation > best[room]:
            best[room], winners[room] = found.presentation, [found.id]
        elif found.presentation == best[room]:
            winners[room].append(found.id)
    return {room: tuple(ids) for room, ids in sorted(winners.items())}


class Board:
    """The ranked teams and their tiers, able to say what the tiers would be if one team's total
    were different (all the others unchanged) in O(N): the team's key is moved within the
    sorted order rather than everything being sorted again."""

    def __init__(
        self, totals: Sequence[Total], tie_rule: TieRule, tiers: Sequence[Tier], mode: TierMode
    ) -> None:
        self.tie_rule, self.tiers, self.mode = tie_rule, tuple(tiers), mode
        self.ranked = rank(totals, tie_rule)
        self.tier_of = assign_tiers(self.ranked, self.tiers, mode)
        self._sort_keys = [_sort_key(entry.total, tie_rule) for entry in self.ranked]
        self._rank_keys = [rank_key(entry.total, tie_rule) for entry in self.ranked]
        self._order = [entry.total for entry in self.ranked]
        self._position = {entry.id: position for position, entry in enumerate(self.ranked)}

    def tiers_if(self, changed: Total) -> dict[int, int | None]:
        """Every team's tier were team `changed.id`'s total `changed`."""
        if self.mode == TierMode.THRESHOLD:  # a threshold looks at the team's own total only
            tier = _tier_indices([1], [changed.total], self.tiers, self.mode)[0]
            return {**self.tier_of, changed.id: tier}
        position = self._position[changed.id]
        keys = self._sort_keys[:position] + self._sort_keys[position + 1 :]
        order = self._order[:position] + self._order[position + 1 :]
        key = _sort_key(changed, self.tie_rule)
        at = bisect_left(keys, key)
        order.insert(at, changed)
        rank_keys = self._rank_keys[:position] + self._rank_keys[position + 1 :]
        rank_keys.insert(at, rank_key(changed, self.tie_rule))
        ranks: list[int] = []
        for index, key_here in enumerate(rank_keys):
            same = index > 0 and key_here == rank_keys[index - 1]
            ranks.append(ranks[-1] if same else index + 1)
        found = _tier_indices(ranks, [entry.total for entry in order], self.tiers, self.mode)
        return {entry.id: tier for entry, tier in zip(order, found, strict=True)}

    def near(self, distance: int) -> list[Ranked]:
        """The teams within `distance` places of a tier boundary, on either side (the last
        `distance` teams of a tier and the first `distance` after it), with every team sharing
        a rank with one of them, in rank order. Under thresholds the top of the list (when it is
        below the highest tier) and its end (when the last team has a tier) count as boundaries
        too: a single sheet could lift the first team or sink the last one."""
        count = len(self.ranked)
        tiers = [self.tier_of[entry.id] for entry in self.ranked]
        cuts = [index for index in range(1, count) if tiers[index] != tiers[index - 1]]
        if self.mode == TierMode.THRESHOLD and count:
            if tiers[0] != 0:
                cuts.insert(0, 0)
            if tiers[-1] is not None:
                cuts.append(count)
        close = {
            self.ranked[index].rank
            for cut in cuts
            for index in range(max(0, cut - distance), min(count, cut + distance))
        }
        return [entry for entry in self.ranked if entry.rank in close]


@dataclass(frozen=True)
class Stability:
    id: int
    tier: int | None
    # (side, sheet pk, the tier this team would get) for each single sheet, of any team, whose
    # omission changes this team's tier
    changes: tuple[tuple[str, int, int | None], ...]

    @property
    def stable(self) -> bool:
        return not self.changes


def omissions(entry: Entry) -> list[tuple[str, int, Entry]]:
    """The entry less each single sheet, as (side, sheet pk, entry): a side with one sheet
    cannot lose it and gives none."""
    found: list[tuple[str, int, Entry]] = []
    for side in Side:
        sheets = entry.materials if side == Side.MATERIALS else entry.presentation
        if len(sheets) < 2:
            continue
        for pk in sorted(sheets):
            rest = {key: value for key, value in sheets.items() if key != pk}
            if side == Side.MATERIALS:
                found.append((side.value, pk, replace(entry, materials=rest)))
            else:
                found.append((side.value, pk, replace(entry, presentation=rest)))
    return found


def stability(
    entries: Sequence[Entry],
    rules: Rules,
    tiers: Sequence[Tier],
    mode: TierMode,
    *,
    near: int = 2,
) -> list[Stability]:
    """For every team within `near` places of a tier boundary (Board.near), in rank order:
    which single sheets, of any team, would change its tier if left out. Leaving out a sheet
    changes that one team's total; the whole ranking and every tier are then recomputed (by
    Board.tiers_if, which moves the one team rather than sorting again)."""
    board = Board(totals(entries, rules), rules.tie_rule, tiers, mode)
    watched = board.near(near)
    changes: dict[int, list[tuple[str, int, int | None]]] = {entry.id: [] for entry in watched}
    for entry in entries:
        for side, pk, rest in omissions(entry):
            after = board.tiers_if(total(rest, rules))
            for team in watched:
                if after[team.id] != board.tier_of[team.id]:
                    changes[team.id].append((side, pk, after[team.id]))
    return [
        Stability(id=team.id, tier=board.tier_of[team.id], changes=tuple(changes[team.id]))
        for team in watched
    ]
