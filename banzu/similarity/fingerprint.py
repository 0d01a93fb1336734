"""Fingerprints: hashed character k-grams of the normalised text, winnowed.

A k-gram's hash is a polynomial over its code points (arithmetic modulo 2**64, vectorised over
the whole document) finished by the splitmix64 mixer, so that the hash is stable across runs and
machines and its low bits are as good as its high ones. Winnowing (Schleimer, Wilkerson and
Aiken 2003) keeps, in every window of `window` consecutive k-grams, the one of smallest hash:
any run of at least `window + k - 1` characters that two documents share yields at least one
common fingerprint (the guarantee threshold), while only about 2/(window+1) of the k-grams are
kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import sliding_window_view

K = 11
WINDOW = 8
_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class Fingerprints:
    """`hashes[i]` is the hash of the k-gram starting at normalised position `positions[i]`."""

    hashes: npt.NDArray[np.uint64]
    positions: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.hashes)


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))


def kgram_hashes(codes: npt.NDArray[np.uint32], k: int = K) -> npt.NDArray[np.uint64]:
    """The hash of every k-gram: len(codes) - k + 1 values (none for a shorter text)."""
    count = len(codes) - k + 1
    if count <= 0:
        return np.zeros(0, dtype=np.uint64)
    wide = codes.astype(np.uint64)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(k):
            hashes = hashes * _BASE + wide[offset : offset + count]
        return _mix(hashes)


def winnow(hashes: npt.NDArray[np.uint64], window: int = WINDOW) -> Fingerprints:
    """The minimum hash of every window of `window` k-grams (leftmost on ties), each selected
    position once."""
    if len(hashes) == 0:
        return Fingerprints(np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32))
    if len(hashes) <= window:
        chosen = np.array([int(np.argmin(hashes))])
    else:
        windows = sliding_window_view(hashes, window)
        chosen = np.unique(windows.argmin(axis=1) + np.arange(len(windows)))
    return Fingerprints(hashes[chosen], chosen.astype(np.int32))


def fingerprint(codes: npt.NDArray[np.uint32], *, k: int = K, window: int = WINDOW) -> Fingerprints:
    return winnow(kgram_hashes(codes, k), window)


def sample(codes: npt.NDArray[np.uint32], *, k: int, modulus: int) -> Fingerprints:
    """The k-grams whose hash is 0 modulo `modulus` (Schleimer et al.'s "0 mod p"): a choice that
    depends on the k-gram alone, so that two texts keep the same ones wherever they stand. The
    short seeds of heavy rewording, whose common runs are shorter than any winnowing guarantee."""
    hashes = kgram_hashes(codes, k)
    chosen = np.flatnonzero(hashes % np.uint64(modulus) == 0)
    return Fingerprints(hashes[chosen], chosen.astype(np.int32))


def guarantee(k: int = K, window: int = WINDOW) -> int:
    """Shared runs at least this long are always found."""
    return window + k - 1
