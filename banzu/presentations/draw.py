"""The recorded draw (抽签): a room's presentation order from a seed, re-runnable by anyone.

The algorithm, "sha256-fisher-yates-v1", in full:

1. Canonical input: the teams sorted by id, encoded as the JSON array ``[[id, "number"], ...]``
   with no whitespace (separators "," and ":"), non-ASCII characters written as themselves
   (not \\u escapes) and the result encoded in UTF-8. For integer ids below 2**53 these are the
   same bytes as RFC 8785 (JCS). ``input_sha256`` is the SHA-256 of those bytes, in lowercase hex.
2. The stream: block ``i`` (i = 0, 1, 2, ...) is ``SHA-256(seed_bytes || i as 8 bytes,
   big-endian)``, where ``seed_bytes`` is the seed's hex decoded; the blocks are concatenated
   and read as 64-bit big-endian unsigned words.
3. An index below ``n``: take the next word ``x``; if ``x >= 2**64 - (2**64 mod n)`` discard it and
   take another, else the index is ``x mod n``. Rejecting the top partial range removes the
   modulo bias (each residue then has exactly the same number of accepted words).
4. Fisher–Yates (Durstenfeld) over the canonical list: for ``i`` from ``n - 1`` down to 1, swap
   position ``i`` with position ``index below i + 1``. The order is the ids of the result.

Python's ``random`` module is deliberately not used: Mersenne Twister seeding, ``_randbelow`` and
``shuffle`` are CPython implementation details that have changed between versions and are not a
published standard, so an order recorded today need not reproduce on another Python or in another
language. The steps above need nothing but SHA-256.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

ALGORITHM = "sha256-fisher-yates-v1"
SEED_BYTES = 32  # of a seed drawn when none is given
_WORD = 2**64
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class Team:
    id: int  # stable: the application's pk
    number: str  # for people reading the record: the recommendation number


@dataclass(frozen=True)
class Draw:
    algorithm: str
    seed: str  # lowercase hex
    teams: tuple[Team, ...]  # canonical: sorted by id
    input_sha256: str  # of the canonical JSON of `teams` (see the module docstring)
    order: tuple[int, ...]  # team ids, first to present first


class DrawMismatch(Exception):
    """A record that does not reproduce. `what` names the part: "algorithm", "teams",
    "input_sha256" or "order"."""

    def __init__(self, what: str, message: str) -> None:
        super().__init__(f"{what}: {message}")
        self.what = what


def canonical_teams(teams: Iterable[Team]) -> tuple[Team, ...]:
    ordered = tuple(sorted(teams, key=lambda team: team.id))
    for before, after in itertools.pairwise(ordered):
        if before.id == after.id:
            raise ValueError(f"team id {after.id} appears more than once")
    return ordered


def canonical_json(teams: Iterable[Team]) -> bytes:
    rows = [[team.id, team.number] for team in canonical_teams(teams)]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def input_sha256(teams: Iterable[Team]) -> str:
    return hashlib.sha256(canonical_json(teams)).hexdigest()


def stream_words(seed: str) -> Iterator[int]:
    """The 64-bit words of SHA-256 in counter mode over the seed (step 2)."""
    seed_bytes = bytes.fromhex(seed)
    counter = 0
    while True:
        block = hashlib.sha256(seed_bytes + counter.to_bytes(8, "big")).digest()
        for start in range(0, 32, 8):
            yield int.from_bytes(block[start : start + 8], "big")
        counter += 1


def index_below(words: Iterator[int], n: int) -> int:
    """A uniform index in [0, n) from the words, by rejection (step 3)."""
    if not 1 <= n <= _WORD:
        raise ValueError(f"n must be in 1..2**64, not {n}")
    limit = _WORD - _WORD % n
    for word in words:
        if word < limit:
            return word % n
    raise ValueError("the word stream ran out")


def shuffled(teams: Sequence[Team], seed: str) -> tuple[int, ...]:
    """Fisher–Yates over `teams` as given (step 4); `draw` passes them canonicalised."""
    words = stream_words(seed)
    ids = [team.id for team in teams]
    for i in range(len(ids) - 1, 0, -1):
        j = index_below(words, i + 1)
        ids[i], ids[j] = ids[j], ids[i]
    return tuple(ids)


def _check_seed(seed: str) -> str:
    if not seed or len(seed) % 2 or not set(seed) <= _HEX:
        raise ValueError(f"the seed must be a non-empty string of lowercase hex, not {seed!r}")
    return seed


def draw(teams: Iterable[Team], *, seed: str | None = None) -> Draw:
    """The room's order. Without a seed, 32 fresh bytes from `secrets` are drawn (and recorded)."""
    seed = _check_seed(secrets.token_hex(SEED_BYTES) if seed is None else seed)
    canonical = canonical_teams(teams)
    return Draw(
        algorithm=ALGORITHM,
        seed=seed,
        teams=canonical,
        input_sha256=input_sha256(canonical),
        order=shuffled(canonical, seed),
    )


def _list_changes(recorded: Sequence[Team], given: Sequence[Team]) -> str:
    before = {team.id: team for team in recorded}
    after = {team.id: team for team in given}
    parts = []
    if removed := sorted(before.keys() - after.keys()):
        parts.append(f"missing {removed}")
    if added := sorted(after.keys() - before.keys()):
        parts.append(f"added {added}")
    if changed := sorted(i for i in before.keys() & after.keys() if before[i] != after[i]):
        parts.append(f"changed number {changed}")
    return "; ".join(parts) or "same teams"


def verify(record: Draw, teams: Iterable[Team]) -> None:
    """Re-run the record against the room's teams; raise DrawMismatch naming what differs."""
    if record.algorithm != ALGORITHM:
        raise DrawMismatch(
            "algorithm", f"the record uses {record.algorithm!r}, this code runs {ALGORITHM!r}"
        )
    recorded_hash = input_sha256(record.teams)
    if recorded_hash != record.input_sha256:
        raise DrawMismatch(
            "teams",
            f"the record's own team list hashes to {recorded_hash}, "
            f"not to its input_sha256 {record.input_sha256}",
        )
    given = canonical_teams(teams)
    given_hash = input_sha256(given)
    if given_hash != record.input_sha256:
        raise DrawMismatch(
            "input_sha256",
            f"recorded {record.input_sha256}, the given teams hash to {given_hash} "
            f"({_list_changes(record.teams, given)})",
        )
    order = shuffled(given, _check_seed(record.seed))
    if order != record.order:
        position = next(
            (p for p, (a, b) in enumerate(zip(record.order, order, strict=False)) if a != b),
            min(len(record.order), len(order)),
        )
        raise DrawMismatch(
            "order",
            f"recorded {list(record.order)}, the seed gives {list(order)} "
            f"(first difference at position {position + 1})",
        )


def to_json(record: Draw) -> str:
    return json.dumps(
        {
            "algorithm": record.algorithm,
            "seed": record.seed,
            "teams": [[team.id, team.number] for team in record.teams],
            "input_sha256": record.input_sha256,
            "order": list(record.order),
        },
        ensure_ascii=False,
    )


def _int(value: Any, field: str) -> int:
    if type(value) is not int:
        raise ValueError(f"{field} must hold integers, not {value!r}")
    return value


def from_json(text: str) -> Draw:
    data = json.loads(text)
    fields = {"algorithm", "seed", "teams", "input_sha256", "order"}
    if not isinstance(data, dict) or data.keys() != fields:
        raise ValueError(f"a draw record is an object with exactly the keys {sorted(fields)}")
    teams = []
    for row in data["teams"]:
        if not (isinstance(row, list) and len(row) == 2 and isinstance(row[1], str)):
            raise ValueError(f"a team is [id, number], not {row!r}")
        teams.append(Team(_int(row[0], "teams"), row[1]))
    for field in ("algorithm", "seed", "input_sha256"):
        if not isinstance(data[field], str):
            raise ValueError(f"{field} must be a string, not {data[field]!r}")
    if not isinstance(data["order"], list):
        raise ValueError(f"order must be a list, not {data['order']!r}")
    return Draw(
        algorithm=data["algorithm"],
        seed=data["seed"],
        teams=tuple(teams),
        input_sha256=data["input_sha256"],
        order=tuple(_int(team_id, "order") for team_id in data["order"]),
    )
