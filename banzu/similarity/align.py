"""Passage alignment: the passages of document A copied from document B, from their texts.

The index only says which documents to compare; the passages come from the two normalised texts
themselves, so that they end where copying ends.

1. Blocks. Every 4-character run the two texts share (a 4-gram in both, at most `MAX_REPEAT`
   times in either, outside template and common text) is a match; matches that follow each other
   on one diagonal (a − b constant) are one block, a maximal common run of A and B.
2. Chains. Blocks join in A order when the difference between them is an edit of copied text:
   both gaps, in A and in B, at most `EDIT_GAP` characters, and A's at most `INSERT_MAX` longer
   than B's (a changed name, a changed figure, a synonym, a function word put in or taken out).
   A sentence of the copier's own between two copied ones leaves a gap in A with none in B: it
   ends the chain, however short the copies around it are. Two solid chains that touch in A
   and whose sources lie in one region of B are one passage (a copied paragraph with its
   sentences reordered, or with one of B's left out).
3. Evidence. A passage stands when its blocks hold at least `MIN_MATCHED` characters with a
   run of `MIN_RUN` or more (a copied sentence of 20 characters, once punctuation is dropped), or
   when it is at least `FUZZY_LENGTH` characters long and at least `FUZZY_DENSITY` of them lie
   in `FUZZY_BLOCKS` blocks or more (heavy rewording, with one change every 8 to 10 characters:
   the local alignment of the PAN text-alignment winners, on character 4-grams).

Pure functions over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from banzu.similarity.fingerprint import kgram_hashes
from banzu.similarity.normalize import DIGIT

GRAM = 4
MAX_REPEAT = 16
EDIT_GAP = 10
INSERT_MAX = 5  # text put in without a counterpart: a function word, a figure with its unit
SOLID = 8  # a chain holding this many matched characters may join across reordering
TOUCH = 8  # chains this close in A touch (a repeated 4-gram or a figure between them)
B_TOUCH = 40  # chains' sources this close in B are one region
RUN_MEMBER = 4  # a chain this long keeps a run going
MIN_MATCHED = 18
MIN_RUN = 16
EDITED_RUN = 10  # with twice MIN_MATCHED, the runs between edits may be this short
EXTEND_LIMIT = 64
BRIDGE = 300  # identical common text inside a copied passage is bridged up to this length
RADIUS = 400  # a pair is aligned within this many characters of its seeds
OVERLAP = GRAM - 1  # a block on another diagonal overlaps a chain's end by less than a 4-gram
FUZZY_LENGTH = 60
FUZZY_DENSITY = 0.5
FUZZY_BLOCKS = 5


@dataclass
class Span:
    """A passage in normalised coordinates: A [a_start, a_end) matches B [b_start, b_end)."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    matched: int = 0  # characters of A inside blocks (digits aside)
    blocks: int = 0
    longest: int = 0
    last_b_end: int = 0
    parts: list[tuple[int, int]] = field(default_factory=list)  # the blocks' A ranges

    @property
    def length(self) -> int:
        return self.a_end - self.a_start

    def stands(self) -> bool:
        if self.matched >= MIN_MATCHED and self.longest >= MIN_RUN:
            return True
        if self.matched >= 2 * MIN_MATCHED and self.longest >= EDITED_RUN:
            return True
        return (
            self.length >= FUZZY_LENGTH
            and self.blocks >= FUZZY_BLOCKS
            and self.matched >= FUZZY_DENSITY * self.length
        )


Blocks = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]


@dataclass(frozen=True)
class Grams:
    """A text prepared for alignment: its 4-grams in hash order and their positions (none on
    excluded text), the running count of its characters that are evidence (all but digits: a
    figure shared by two texts proves nothing), its codes and its excluded characters."""

    hashes: npt.NDArray[np.uint64]
    positions: npt.NDArray[np.int64]
    evidence: npt.NDArray[np.int64]
    codes: npt.NDArray[np.uint32]
    excluded: npt.NDArray[np.bool_] | None
    template: npt.NDArray[np.bool_] | None = None


def common_prefix(x: npt.NDArray[np.uint32], y: npt.NDArray[np.uint32]) -> int:
    n = min(len(x), len(y))
    if n == 0:
        return 0
    unequal = np.nonzero(x[:n] != y[:n])[0]
    return int(unequal[0]) if len(unequal) else n


def windows(positions: npt.NDArray[np.int64], length: int, radius: int = RADIUS) -> list[slice]:
    """The stretches within `radius` characters of any of the positions, merged."""
    if len(positions) == 0:
        return []
    ordered = np.unique(positions)
    starts = np.maximum(ordered - radius, 0)
    ends = np.minimum(ordered + radius, length)
    breaks = np.flatnonzero(starts[1:] > ends[:-1])
    firsts = np.r_[0, breaks + 1]
    lasts = np.r_[breaks, len(ordered) - 1]
    return [slice(int(starts[f]), int(ends[e])) for f, e in zip(firsts, lasts, strict=True)]


def grams(
    codes: npt.NDArray[np.uint32],
    excluded: npt.NDArray[np.bool_] | None = None,
    within: list[slice] | None = None,
    template: npt.NDArray[np.bool_] | None = None,
) -> Grams:
    """The 4-gram hashes of a text (or of the stretches `within` it) in hash order, with their
    positions, none that starts on an excluded character."""
    parts = within if within is not None else [slice(0, len(codes))]
    hash_parts, position_parts = [], []
    for part in parts:
        found = kgram_hashes(codes[part], GRAM)
        hash_parts.append(found)
        position_parts.append(np.arange(len(found), dtype=np.int64) + (part.start or 0))
    hashes = np.concatenate(hash_parts) if hash_parts else np.zeros(0, dtype=np.uint64)
    positions = np.concatenate(position_parts) if position_parts else np.zeros(0, dtype=np.int64)
    if excluded is not None and len(hashes):
        keep = ~excluded[positions]
        hashes, positions = hashes[keep], positions[keep]
    order = np.argsort(hashes, kind="stable")
    evidence = np.concatenate([[0], np.cumsum(codes != DIGIT)]).astype(np.int64)
    return Grams(hashes[order], positions[order], evidence, codes, excluded, template)


def blocks(grams_a: Grams, grams_b: Grams) -> Blocks:
    """The maximal common runs of A and B (of GRAM characters or more), from their `grams`:
    starts in A, starts in B, lengths; in A order."""
    empty = np.zeros(0, dtype=np.int64)
    hash_a, pos_a = grams_a.hashes, grams_a.positions
    hash_b, pos_b = grams_b.hashes, grams_b.positions
    if len(hash_a) == 0 or len(hash_b) == 0:
        return empty, empty, empty
    left = np.searchsorted(hash_b, hash_a, side="left")
    count_b = np.searchsorted(hash_b, hash_a, side="right") - left
    # How often each gram occurs in A: a gram repeated in either text pairs no matches.
    starts_a = np.r_[True, hash_a[1:] != hash_a[:-1]]
    group = np.cumsum(starts_a) - 1
    count_a = np.bincount(group)[group]
    count_b = np.where((count_b > MAX_REPEAT) | (count_a > MAX_REPEAT), 0, count_b)
    total = int(count_b.sum())
    if total == 0:
        return empty, empty, empty
    firsts = np.repeat(np.cumsum(count_b) - count_b, count_b)
    at_a = np.repeat(pos_a, count_b)
    at_b = pos_b[np.repeat(left, count_b) + (np.arange(total) - firsts)]
    diagonal = at_a - at_b
    order = np.lexsort((at_a, diagonal))
    at_a, diagonal = at_a[order], diagonal[order]
    new = np.r_[True, (diagonal[1:] != diagonal[:-1]) | (at_a[1:] != at_a[:-1] + 1)]
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(at_a)] - 1
    start_a = at_a[first]
    length = at_a[last] - start_a + GRAM
    start_b = start_a - diagonal[first]
    order = np.lexsort((-length, start_a))
    return start_a[order], start_b[order], length[order]


def chain(
    found: Blocks, evidence: npt.NDArray[np.int64], *, edit_gap: int = EDIT_GAP
) -> list[Span]:
    """Blocks joined in A order across edits of copied text (both gaps at most `edit_gap`);
    `evidence[i]`: how many of A's first i characters count as matched when in a block."""
    open_spans: list[Span] = []
    closed: list[Span] = []
    for a0, b0, n in zip(*(x.tolist() for x in found), strict=True):
        a1, b1 = a0 + n, b0 + n
        best, best_cost = None, None
        still_open = []
        for span in open_spans:
            if a0 - span.a_end > edit_gap:
                closed.append(span)
                continue
            still_open.append(span)
            gap_a, gap_b = a0 - span.a_end, b0 - span.last_b_end
            if (
                gap_a >= -OVERLAP
                and -OVERLAP <= gap_b <= edit_gap
                and gap_a - gap_b <= INSERT_MAX
                and a1 > span.a_end
            ):
                cost = abs(gap_a - gap_b)
                if best_cost is None or cost < best_cost:
                    best, best_cost = span, cost
        open_spans = still_open
        weight = int(evidence[a1] - evidence[a0])
        if best is None:
            open_spans.append(Span(a0, a1, b0, b1, weight, 1, weight, b1, [(a0, a1)]))
            continue
        best.matched += int(evidence[a1] - evidence[max(a0, best.a_end)])
        best.a_end = a1
        best.b_start, best.b_end = min(best.b_start, b0), max(best.b_end, b1)
        best.last_b_end = b1
        best.blocks += 1
        best.longest = max(best.longest, weight)
        best.parts.append((a0, a1))
    closed.extend(open_spans)
    return closed


def bridge(spans: list[Span], a: Grams, b: Grams) -> list[Span]:
    """Chains on one diagonal whose texts agree all the way between them are one chain: the
    common text a copier took along with the passage around it (its 4-grams were set aside as
    common, or repeated), though never template text."""
    ordered = sorted(spans, key=lambda s: s.a_start)
    ending: dict[int, Span] = {}
    kept: list[Span] = []
    for span in ordered:
        before = ending.get(span.a_start - span.b_start)
        gap = span.a_start - before.a_end if before is not None else 0
        if (
            before is not None
            and 0 < gap <= BRIDGE
            and span.b_start - before.last_b_end == gap
            and np.array_equal(
                a.codes[before.a_end : span.a_start], b.codes[before.last_b_end : span.b_start]
            )
            and (a.template is None or not a.template[before.a_end : span.a_start].any())
        ):
            _join(before, span)
            before.last_b_end = span.last_b_end
            ending[before.a_end - before.last_b_end] = before
            continue
        kept.append(span)
        ending[span.a_end - span.last_b_end] = span
    return kept


def _join(target: Span, span: Span) -> None:
    target.matched += span.matched
    target.blocks += span.blocks
    target.longest = max(target.longest, span.longest)
    target.a_start, target.a_end = min(target.a_start, span.a_start), max(target.a_end, span.a_end)
    target.b_start, target.b_end = min(target.b_start, span.b_start), max(target.b_end, span.b_end)
    target.parts += span.parts


def _regions(run: list[Span]) -> list[list[Span]]:
    """The chains of a run grouped by where they come from in B: chains whose B ranges overlap
    or nearly touch (within B_TOUCH) are one region, however they are ordered in A."""
    ordered = sorted(run, key=lambda s: s.b_start)
    regions: list[list[Span]] = []
    reach = -1
    for span in ordered:
        if regions and span.b_start <= reach + B_TOUCH:
            regions[-1].append(span)
            reach = max(reach, span.b_end)
        else:
            regions.append([span])
            reach = span.b_end
    return regions


def group(spans: list[Span]) -> list[Span]:
    """Chains that follow one another in A (gaps of at most TOUCH) form a run; the chains of a
    run that come from one region of B are one passage: a paragraph copied with its sentences
    reordered, or with one of B's left out. The copier's own text between chains leaves a gap
    in A that ends the run."""
    solid = sorted((s for s in spans if s.matched >= RUN_MEMBER), key=lambda s: s.a_start)
    runs: list[list[Span]] = []
    for span in solid:
        if runs and span.a_start - max(s.a_end for s in runs[-1]) <= TOUCH:
            runs[-1].append(span)
        else:
            runs.append([span])
    passages: list[Span] = []
    for run in runs:
        for region in _regions(run):
            # Short chains only bridge: the passage is where the solid ones are.
            region = sorted((s for s in region if s.matched >= SOLID), key=lambda s: s.a_start)
            if not region:
                continue
            passage = region[0]
            for span in region[1:]:
                _join(passage, span)
            passages.append(passage)
    return passages


def agreeing(x: Grams, y: Grams, x_range: slice, y_range: slice, *, backwards: bool) -> int:
    """How many characters the two ranges agree on, from their near ends, before either text
    differs or reaches excluded text."""
    cx, cy = x.codes[x_range], y.codes[y_range]
    ex = x.excluded[x_range] if x.excluded is not None else np.zeros(len(cx), dtype=bool)
    ey = y.excluded[y_range] if y.excluded is not None else np.zeros(len(cy), dtype=bool)
    if backwards:
        cx, cy, ex, ey = cx[::-1], cy[::-1], ex[::-1], ey[::-1]
    n = min(len(cx), len(cy))
    stop = np.flatnonzero((cx[:n] != cy[:n]) | ex[:n] | ey[:n])
    return int(stop[0]) if len(stop) else n


def extend(span: Span, a: Grams, b: Grams) -> None:
    """Grow a chain at both ends while the texts agree (4-grams repeated too often in either
    text pair no matches: a name the document repeats at the start of a copied sentence)."""
    back = agreeing(
        a,
        b,
        slice(max(0, span.a_start - EXTEND_LIMIT), span.a_start),
        slice(max(0, span.b_start - EXTEND_LIMIT), span.b_start),
        backwards=True,
    )
    forward = agreeing(
        a,
        b,
        slice(span.a_end, span.a_end + EXTEND_LIMIT),
        slice(span.last_b_end, span.last_b_end + EXTEND_LIMIT),
        backwards=False,
    )
    if back:
        first = min(span.parts)
        gained = int(a.evidence[span.a_start] - a.evidence[span.a_start - back])
        span.matched += gained
        span.longest = max(span.longest, int(a.evidence[first[1]] - a.evidence[first[0]]) + gained)
        span.a_start -= back
        span.b_start -= back
        span.parts.append((span.a_start, span.a_start + back))
    if forward:
        last = max(span.parts)
        gained = int(a.evidence[span.a_end + forward] - a.evidence[span.a_end])
        span.matched += gained
        span.longest = max(span.longest, int(a.evidence[last[1]] - a.evidence[last[0]]) + gained)
        span.parts.append((span.a_end, span.a_end + forward))
        span.a_end += forward
        span.last_b_end += forward
        span.b_end = max(span.b_end, span.last_b_end)


def align(grams_a: Grams, grams_b: Grams) -> list[Span]:
    """The copied passages of A in B (from their `grams`), in A order, none overlapping in A."""
    found = blocks(grams_a, grams_b)
    if len(found[0]) == 0:
        return []
    chains = bridge(chain(found, grams_a.evidence), grams_a, grams_b)
    for span in chains:
        if span.matched >= SOLID:
            extend(span, grams_a, grams_b)
    passages = [s for s in group(chains) if s.stands()]  # a chain below SOLID cannot stand
    passages.sort(key=lambda s: (s.a_start, -s.length))
    # A chain left out of a run lies inside the run's passage in A: that passage stands for it.
    result: list[Span] = []
    for span in passages:
        if result and span.a_start < result[-1].a_end:
            last = result[-1]
            if span.a_end > last.a_end:  # overlapping passages of other diagonals: one
                _join(last, span)
            continue
        result.append(span)
    return result
