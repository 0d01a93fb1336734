"""Passage alignment: from the seeds two documents share to maximal matching passages.

A seed (a, b) says the normalised texts of documents A and B agree on the k characters at a and
at b. Seeds of one copied passage lie close together along one diagonal (a − b nearly constant:
a changed name or an inserted word shifts it a little). Chaining keeps several open chains and
extends the one the seed continues (gap in A at most `gap`, diagonal within `drift`); chains
long enough become passages; passages close in A whose sources are close in B merge (sentences
of a copied paragraph put in another order stay one passage); each end is then extended
character by character while the texts still agree. Pure functions over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

GAP = 80
DRIFT = 48
MIN_LENGTH = 40
MIN_SEEDS = 3
MERGE_GAP = 120
EXTEND_LIMIT = 64


@dataclass
class Span:
    """A passage in normalised coordinates: A [a_start, a_end) matches B [b_start, b_end)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    seeds: int = 1

    @property
    def length(self) -> int:
        return self.a_end - self.a_start


def chain(
    seeds_a: npt.NDArray[np.int64],
    seeds_b: npt.NDArray[np.int64],
    k: int,
    *,
    gap: int = GAP,
    drift: int = DRIFT,
) -> list[Span]:
    """Group seeds into chains along near-constant diagonals, in A order."""
    order = np.lexsort((seeds_b, seeds_a))
    open_chains: list[tuple[Span, int]] = []  # (span, diagonal of its last seed)
    closed: list[Span] = []
    for a, b in zip(seeds_a[order].tolist(), seeds_b[order].tolist(), strict=True):
        diagonal = a - b
        best = None
        best_distance = drift + 1
        still_open = []
        for span, last_diagonal in open_chains:
            if a - span.a_end > gap:
                closed.append(span)
                continue
            still_open.append((span, last_diagonal))
            distance = abs(diagonal - last_diagonal)
            if distance < best_distance:
                best, best_distance = len(still_open) - 1, distance
        open_chains = still_open
        if best is None:
            open_chains.append((Span(a, a + k, b, b + k), diagonal))
            continue
        span, _ = open_chains[best]
        span.a_end = max(span.a_end, a + k)
        span.b_start = min(span.b_start, b)
        span.b_end = max(span.b_end, b + k)
        span.seeds += 1
        open_chains[best] = (span, diagonal)
    closed.extend(span for span, _ in open_chains)
    return closed


def _greedy_merge(spans: list[Span], gap: int) -> list[Span]:
    """Merge each span into an earlier one still within reach in A whose B range is near."""
    merged: list[Span] = []
    for span in spans:
        target = None
        for candidate in reversed(merged):
            if span.a_start > candidate.a_end + gap:
                continue
            reach = max(gap, candidate.length + span.length)
            if span.b_start <= candidate.b_end + reach and span.b_end >= candidate.b_start - reach:
                target = candidate
                break
        if target is None:
            merged.append(Span(span.a_start, span.a_end, span.b_start, span.b_end, span.seeds))
            continue
        _absorb(target, span)
    return merged


def _absorb(target: Span, span: Span) -> None:
    target.a_start = min(target.a_start, span.a_start)
    target.a_end = max(target.a_end, span.a_end)
    target.b_start = min(target.b_start, span.b_start)
    target.b_end = max(target.b_end, span.b_end)
    target.seeds += span.seeds


def merge(spans: list[Span], *, gap: int = MERGE_GAP) -> list[Span]:
    """One copied paragraph is one passage, even with its sentences in another order.

    Spans that follow each other in A (gaps of at most `gap`) form a run. If the run's
    significant spans (two seeds or more) come from one region of B no larger than the run
    itself allows (1.5 × its length in A, plus slack), the run is one passage: a paragraph copied
    with its sentences reordered. Otherwise the run mixes sources regions and is merged greedily,
    span by span, only where the B ranges are near."""
    ordered = sorted(spans, key=lambda s: (s.a_start, s.b_start))
    runs: list[list[Span]] = []
    for span in ordered:
        if runs and span.a_start <= max(s.a_end for s in runs[-1]) + gap:
            runs[-1].append(span)
        else:
            runs.append([span])
    merged: list[Span] = []
    for run in runs:
        core = [s for s in run if s.seeds >= 2] or run
        a_start = min(s.a_start for s in run)
        a_end = max(s.a_end for s in run)
        b_start = min(s.b_start for s in core)
        b_end = max(s.b_end for s in core)
        if len(run) > 1 and b_end - b_start <= 1.5 * (a_end - a_start) + 2 * gap:
            passage = Span(a_start, a_end, b_start, b_end, 0)
            for span in run:
                if span in core or (b_start <= span.b_start and span.b_end <= b_end):
                    passage.seeds += span.seeds
            merged.append(passage)
        else:
            merged.extend(_greedy_merge(run, gap))
    merged.sort(key=lambda s: s.a_start)
    return merged


def _common_prefix(x: npt.NDArray[np.uint32], y: npt.NDArray[np.uint32]) -> int:
    n = min(len(x), len(y))
    if n == 0:
        return 0
    unequal = np.nonzero(x[:n] != y[:n])[0]
    return int(unequal[0]) if len(unequal) else n


def extend(span: Span, a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32]) -> Span:
    """Grow both ends while the two texts agree (at most EXTEND_LIMIT characters each way)."""
    back = _common_prefix(
        a[max(0, span.a_start - EXTEND_LIMIT) : span.a_start][::-1],
        b[max(0, span.b_start - EXTEND_LIMIT) : span.b_start][::-1],
    )
    forward = _common_prefix(
        a[span.a_end : span.a_end + EXTEND_LIMIT], b[span.b_end : span.b_end + EXTEND_LIMIT]
    )
    return Span(
        span.a_start - back,
        span.a_end + forward,
        span.b_start - back,
        span.b_end + forward,
        span.seeds,
    )


def align(
    seeds_a: npt.NDArray[np.int64],
    seeds_b: npt.NDArray[np.int64],
    a: npt.NDArray[np.uint32],
    b: npt.NDArray[np.uint32],
    k: int,
    *,
    min_length: int = MIN_LENGTH,
    min_seeds: int = MIN_SEEDS,
) -> list[Span]:
    """The matching passages of A in B, in A order, none overlapping in A."""
    if len(seeds_a) < min_seeds:
        return []
    passages = merge(chain(seeds_a, seeds_b, k))
    kept = [extend(s, a, b) for s in passages if s.seeds >= min_seeds and s.length >= min_length]
    # Extension can make neighbours overlap in A: merge once more, without the B condition.
    result: list[Span] = []
    for span in kept:
        if result and span.a_start <= result[-1].a_end:
            last = result[-1]
            last.a_end = max(last.a_end, span.a_end)
            last.b_start = min(last.b_start, span.b_start)
            last.b_end = max(last.b_end, span.b_end)
            last.seeds += span.seeds
        else:
            result.append(span)
    return result
