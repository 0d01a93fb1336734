"""The hash chain of the audit journal, without Django: each entry's hash covers its content and
the previous entry's hash, so changing or removing any entry breaks every hash after it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def entry_hash(content: Mapping[str, Any], prev_hash: str) -> str:
    canonical = json.dumps(
        dict(content),
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


@dataclass(frozen=True)
class Link:
    seq: int
    content: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(links: Iterable[Link]) -> Break | None:
    """Return the first broken link, or None when the whole chain holds."""
    expected_prev = GENESIS
    expected_seq = 1
    for link in links:
        if link.seq != expected_seq:
            return Break(expected_seq, f"entry {expected_seq} is missing (found {link.seq})")
        if link.prev_hash != expected_prev:
            return Break(link.seq, "previous-hash does not match the entry before it")
        if entry_hash(link.content, link.prev_hash) != link.hash:
            return Break(link.seq, "content does not match its hash")
        expected_prev = link.hash
        expected_seq += 1
    return None
