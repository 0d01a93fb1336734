"""The hash chain of the audit journal, without Django: each entry's hash covers its content and
the previous entry's hash, so changing or removing any entry breaks every hash after it.

The chain alone can be recomputed by whoever can write to the database, so each entry also
carries a seal: an HMAC of its sequence number and hash under a key kept out of the database
(settings.AUDIT_KEY). Without the key a rewritten entry cannot be sealed again."""

from __future__ import annotations

import hashlib
import hmac
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


def entry_mac(key: bytes, seq: int, digest: str) -> str:
    return hmac.new(key, f"entry\n{seq}\n{digest}".encode(), hashlib.sha256).hexdigest()


def seal_matches(key: bytes, seq: int, digest: str, mac: str) -> bool:
    return hmac.compare_digest(entry_mac(key, seq, digest), mac)


@dataclass(frozen=True)
class Link:
    seq: int
    content: Mapping[str, Any]
    prev_hash: str
    hash: str
    mac: str = ""


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(links: Iterable[Link], key: bytes | None = None) -> Break | None:
    """Return the first broken link, or None when the whole chain holds (and, given the key,
    every entry carries its seal)."""
    expected_prev = GENESIS
    expected_seq = 1
    for link in links:
        if link.seq != expected_seq:
            return Break(expected_seq, f"entry {expected_seq} is missing (found {link.seq})")
        if link.prev_hash != expected_prev:
            return Break(link.seq, "previous-hash does not match the entry before it")
        if entry_hash(link.content, link.prev_hash) != link.hash:
            return Break(link.seq, "content does not match its hash")
        if key is not None and not seal_matches(key, link.seq, link.hash, link.mac):
            return Break(
                link.seq,
                "its seal does not match: the entry was rewritten, or BANZU_AUDIT_KEY is not "
                "the key it was written with",
            )
        expected_prev = link.hash
        expected_seq += 1
    return None
