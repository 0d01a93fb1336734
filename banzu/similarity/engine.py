"""The similarity engine: documents in, copy figures and passages out. No Django.

`Corpus` holds fingerprinted documents — this edition's (checked) and the archive's (sources
only) — and the template texts, whose k-grams never count. `scan()` checks every edition
document against all others at once: fingerprints of the whole corpus are sorted together, each
hash shared by 2 to `common_df` documents gives seeds for the pairs that share it, a hash in more
documents than that is common text (reported apart, never as copying), and each pair with enough
seeds is aligned into passages. Short seeds (sampled 5-grams) find the pairs that heavy
rewording leaves without a long common run. The passages themselves come from the two texts
(`align`), not from the seeds. `check(document)` does the same for one new document against the
indexed corpus, in time proportional to that document (a binary search per fingerprint).

Figures are named as the industry names them: total copy ratio (总文字复制比) = copied
characters / all characters, each character counted once whatever the number of sources; the
largest single-source ratio (单篇最大文字复制比); and, when owners are known, the ratio without
the enterprise's own earlier documents (去除本人文献复制比).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from banzu.similarity import align as aligner
from banzu.similarity.fingerprint import (
    WINDOW,
    Fingerprints,
    K,
    fingerprint,
    kgram_hashes,
    sample,
)
from banzu.similarity.normalize import Normalized, normalize

COMMON_DF = 10
# Short seeds for heavy rewording: 5-grams, one in SHORT_MODULUS kept by its hash. A pair of
# documents is compared when MIN_SHORT_SEEDS of them fall within SHORT_SPAN characters of one.
SHORT_K = 5
SHORT_MODULUS = 6
MIN_SHORT_SEEDS = 3
SHORT_SPAN = 300
# Long seeds: three make a pair worth comparing; fewer must start an exact common run this long
# (a lone copied sentence, found by the winnowing guarantee).
MIN_SEEDS = 3
VERIFY_RUN = 15
CLOSING = frozenset("。！？；…!?;.，,、）)”’」』")
# A document whose fingerprints are nearly all one hash (one character repeated) is not text.
DEGENERATE_DISTINCT_SHARE = 0.02
DEGENERATE_MIN_FINGERPRINTS = 200


@dataclass
class Document:
    id: str
    text: str
    archive: bool = False
    owner: str | None = None
    error: str | None = None
    normalized: Normalized | None = None
    fingerprints: Fingerprints | None = None
    short_prints: Fingerprints | None = None
    # Normalised characters covered by template text (None: no template in the corpus).
    template_mask: npt.NDArray[np.bool_] | None = None


@dataclass(frozen=True)
class Passage:
    """Original character offsets, end exclusive, in the document and in its source."""

    start: int
    end: int
    source_start: int
    source_end: int


@dataclass
class SourceReport:
    id: str
    archive: bool
    same_owner: bool
    copied_chars: int
    ratio: float
    passages: list[Passage]


@dataclass
class Report:
    id: str
    chars: int
    copied_chars: int = 0
    copy_ratio: float = 0.0
    max_source_ratio: float = 0.0
    common_chars: int = 0
    self_copied_chars: int = 0
    copy_ratio_excluding_self: float = 0.0
    sources: list[SourceReport] = field(default_factory=list)
    error: str | None = None
    # Original [start, end) spans of common text, merged (not in the command line's JSON).
    common_spans: list[tuple[int, int]] = field(default_factory=list)


Index = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32], npt.NDArray[np.int32]]


def _empty_index() -> Index:
    empty = np.zeros(0, dtype=np.int32)
    return np.zeros(0, dtype=np.uint64), empty, empty


Frequency = tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]


class Outside(Protocol):
    """Documents held outside the corpus (an archive on disk): they are no sources, but they
    count in how many documents hold a hash (common text) and in the corpus's size, so that a
    corpus holding only some of them decides common text as if it held them all."""

    count: int

    def frequency(self, hashes: npt.NDArray[np.uint64], short: bool) -> npt.NDArray[np.int64]:
        """For each hash, how many of the outside documents hold it."""
        ...


def _document_frequency(index: Index) -> Frequency:
    """The distinct hashes of an index and in how many documents each occurs."""
    hashes, docs, _positions = index
    if len(hashes) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    new_doc = np.r_[True, (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])]
    return hashes[starts], np.add.reduceat(new_doc.astype(np.int64), starts)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def union_length(spans: Iterable[tuple[int, int]]) -> int:
    total, current_start, current_end = 0, -1, -1
    for start, end in sorted(spans):
        if start > current_end:
            total += max(0, current_end - current_start)
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    return total + max(0, current_end - current_start)


def _ratio(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _run_length(a: aligner.Grams, b: aligner.Grams, at: int, bt: int) -> int:
    """The exact common run of A and B through A[at] = B[bt], both ways (at most 64 each),
    outside excluded (template and common) text."""
    back = aligner.agreeing(
        a, b, slice(max(0, at - 64), at), slice(max(0, bt - 64), bt), backwards=True
    )
    return back + aligner.agreeing(a, b, slice(at, at + 64), slice(bt, bt + 64), backwards=False)


def _concentrated(positions: npt.NDArray[np.int64], count: int, span: int) -> bool:
    """Whether `count` of the positions lie within `span` characters of one another."""
    if len(positions) < count:
        return False
    ordered = np.sort(positions)
    return bool((ordered[count - 1 :] - ordered[: len(ordered) - count + 1] <= span).any())


class Corpus:
    def __init__(self, *, k: int = K, window: int = WINDOW, common_df: int = COMMON_DF) -> None:
        self.k, self.window, self.common_df = k, window, common_df
        self.documents: list[Document] = []
        self._template_hashes = np.zeros(0, dtype=np.uint64)
        self._template_short = np.zeros(0, dtype=np.uint64)
        # Two sorted indexes per kind of seed (long, short): the main one over documents
        # [0, _main_upto) and a small delta over the documents added since, so that adding one
        # document costs time in proportion to the delta, not to the corpus; the delta is folded
        # in when it grows past a tenth.
        self._main: tuple[Index, Index] = (_empty_index(), _empty_index())
        self._main_upto = 0
        self._delta: tuple[Index, Index] = (_empty_index(), _empty_index())
        self._delta_upto = 0
        # Per index: its distinct hashes and their document counts (computed when first needed).
        self._frequencies: dict[int, Frequency] = {}
        self.outside: Outside | None = None

    # --- input ----------------------------------------------------------------------------

    def add_template(self, text: str) -> None:
        """Every k-gram of a template (the notice, blank forms, the rubric) is ignored."""
        if self.documents:
            raise ValueError("add the templates before the documents")
        codes = normalize(text).codes
        self._template_hashes = np.union1d(self._template_hashes, kgram_hashes(codes, self.k))
        self._template_short = np.union1d(self._template_short, kgram_hashes(codes, SHORT_K))

    def prepare(self, document: Document) -> Document:
        if document.error is None:
            normalized = normalize(document.text)
            # Fingerprints stored from an earlier run (an archive is fingerprinted once).
            prints = document.fingerprints or fingerprint(
                normalized.codes, k=self.k, window=self.window
            )
            if len(normalized) < self.k:
                document.error = "no text to compare (too short once punctuation is removed)"
            elif len(prints) >= DEGENERATE_MIN_FINGERPRINTS and len(
                np.unique(prints.hashes)
            ) < DEGENERATE_DISTINCT_SHARE * len(prints):
                document.error = "the text is one repeated character or phrase"
            else:
                keep = ~np.isin(prints.hashes, self._template_hashes)
                document.normalized = normalized
                document.fingerprints = Fingerprints(prints.hashes[keep], prints.positions[keep])
                short = document.short_prints or sample(
                    normalized.codes, k=SHORT_K, modulus=SHORT_MODULUS
                )
                keep = ~np.isin(short.hashes, self._template_short)
                document.short_prints = Fingerprints(short.hashes[keep], short.positions[keep])
                document.template_mask = self._template_mask(normalized)
        return document

    def _template_mask(self, normalized: Normalized) -> npt.NDArray[np.bool_] | None:
        """Which normalised characters lie in a k-gram of template text."""
        if len(self._template_hashes) == 0:
            return None
        starts = np.isin(kgram_hashes(normalized.codes, self.k), self._template_hashes)
        if not starts.any():
            return None
        return self._cover(starts.nonzero()[0], len(normalized))

    def _cover(self, positions: npt.NDArray[np.int64], length: int) -> npt.NDArray[np.bool_]:
        """The characters of the k-grams starting at `positions`."""
        marks = np.zeros(length + 1, dtype=np.int64)
        np.add.at(marks, np.minimum(positions, length), 1)
        np.add.at(marks, np.minimum(positions + self.k, length), -1)
        return np.asarray(np.cumsum(marks)[:length] > 0)

    def add(self, document: Document) -> Document:
        self.documents.append(self.prepare(document))
        return document

    # --- the index --------------------------------------------------------------------------

    def _index_of(self, first: int, last: int, short: bool) -> Index:
        hashes, docs, positions = [], [], []
        for number in range(first, last):
            document = self.documents[number]
            prints = document.short_prints if short else document.fingerprints
            if prints is None:
                continue
            hashes.append(prints.hashes)
            positions.append(prints.positions)
            docs.append(np.full(len(prints), number, dtype=np.int32))
        if not hashes:
            return _empty_index()
        all_hashes, all_docs = np.concatenate(hashes), np.concatenate(docs)
        all_positions = np.concatenate(positions)
        # Entries are in document order and, within one, in position order: a stable sort by
        # hash gives (hash, document, position) order.
        order = np.argsort(all_hashes, kind="stable")
        return all_hashes[order], all_docs[order], all_positions[order]

    def _full_index(self) -> tuple[Index, Index]:
        """One index over every document (the scan needs them sorted together)."""
        if self._main_upto != len(self.documents):
            count = len(self.documents)
            self._main = (self._index_of(0, count, False), self._index_of(0, count, True))
            self._main_upto = self._delta_upto = count
            self._delta = (_empty_index(), _empty_index())
        return self._main

    def _indexes(self) -> tuple[tuple[Index, Index], tuple[Index, Index]]:
        """The main indexes and the deltas, brought up to date at the cost of the delta alone."""
        count = len(self.documents)
        if self._main_upto == 0 or count - self._main_upto > max(64, self._main_upto // 10):
            self._full_index()
        elif self._delta_upto != count:
            self._delta = (
                self._index_of(self._main_upto, count, False),
                self._index_of(self._main_upto, count, True),
            )
            self._delta_upto = count
        return self._main, self._delta

    def _short_common_df(self) -> int:
        # Short seeds recur more: a 5-gram in a thousandth of a large corpus is still a clue.
        outside = self.outside.count if self.outside is not None else 0
        return max(self.common_df, (len(self.documents) + outside) // 1000)

    def _outside_frequency(
        self, short: bool
    ) -> Callable[[npt.NDArray[np.uint64]], npt.NDArray[np.int64]] | None:
        outside = self.outside
        if outside is None:
            return None
        return lambda hashes: outside.frequency(hashes, short)

    # --- the full scan ----------------------------------------------------------------------

    def scan(self) -> list[Report]:
        """Every edition document against every other document and the archive."""
        long_index, short_index = self._full_index()
        seeds, common = _seeds_and_common(
            *long_index, self.common_df, 1, self._outside_frequency(False)
        )
        short_seeds, _ = _seeds_and_common(
            *short_index, self._short_common_df(), MIN_SHORT_SEEDS, self._outside_frequency(True)
        )
        reports = {
            number: Report(id=d.id, chars=len(d.text), error=d.error)
            for number, d in enumerate(self.documents)
            if not d.archive
        }
        excluded = {
            number: self._excluded(self.documents[number], common.get(number))
            for number in range(len(self.documents))
        }
        clear = self._clear_seeds(seeds, excluded)
        pairs = {
            pair
            for pair, found in seeds.items()
            if (len(found[0]) >= MIN_SEEDS or pair in clear)
            and self._worth_aligning(*pair, *found, excluded)
        } | {
            pair
            for pair, (first, second) in short_seeds.items()
            if _concentrated(first, MIN_SHORT_SEEDS, SHORT_SPAN)
            and _concentrated(second, MIN_SHORT_SEEDS, SHORT_SPAN)
        }
        found: dict[int, dict[int, list[Passage]]] = defaultdict(dict)
        empty = np.zeros(0, dtype=np.int64)
        for first, second in sorted(pairs):
            # Aligned near the seeds only: the cost follows what the pair shares.
            long_first, long_second = seeds.get((first, second), (empty, empty))
            short_first, short_second = short_seeds.get((first, second), (empty, empty))
            near = {
                first: np.concatenate([long_first, short_first]),
                second: np.concatenate([long_second, short_second]),
            }
            for a, b in ((first, second), (second, first)):
                if a not in reports:
                    continue
                passages = self._align(
                    self.documents[a],
                    self.documents[b],
                    self._near(a, near[a], excluded[a]),
                    self._near(b, near[b], excluded[b]),
                )
                if passages:
                    found[a][b] = passages
        for number, report in reports.items():
            self._fill(report, number, found.get(number, {}), common.get(number))
        return [reports[number] for number in sorted(reports)]

    def _worth_aligning(
        self,
        a: int,
        b: int,
        seeds_a: npt.NDArray[np.int64],
        seeds_b: npt.NDArray[np.int64],
        excluded: dict[int, npt.NDArray[np.bool_] | None],
    ) -> bool:
        if len(seeds_a) >= MIN_SEEDS:
            return True
        first = self._bare(a, excluded[a])
        second = self._bare(b, excluded[b])
        return any(
            _run_length(first, second, x, y) >= VERIFY_RUN
            for x, y in zip(seeds_a.tolist(), seeds_b.tolist(), strict=True)
        )

    def _clear_seeds(
        self,
        seeds: dict[tuple[int, int], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
        excluded: dict[int, npt.NDArray[np.bool_] | None],
    ) -> set[tuple[int, int]]:
        """The pairs with fewer than MIN_SEEDS seeds of which one lies clear of template and
        common text in both documents (vectorised: most such pairs share only the edge of a
        common phrase, and need no closer look)."""
        few = [(pair, found) for pair, found in seeds.items() if len(found[0]) < MIN_SEEDS]
        if not few:
            return set()
        lengths = [len(d.normalized) if d.normalized is not None else 0 for d in self.documents]
        starts = np.concatenate([[0], np.cumsum(lengths)])
        # Per character: whether the k-gram starting there touches excluded text (one byte a
        # character for the whole corpus, built document by document).
        touches = []
        for number, length in enumerate(lengths):
            mask = excluded[number]
            if mask is None or not mask.any():
                touches.append(np.zeros(length, dtype=bool))
                continue
            count = np.concatenate([[0], np.cumsum(mask, dtype=np.int32)])
            ends = np.minimum(np.arange(length) + self.k, length)
            touches.append(count[ends] - count[:length] > 0)
        blocked = np.concatenate(touches)
        sizes = np.array([len(found[0]) for _, found in few])
        pair_index = np.repeat(np.arange(len(few)), sizes)
        first = np.repeat(np.array([pair[0] for pair, _ in few]), sizes)
        second = np.repeat(np.array([pair[1] for pair, _ in few]), sizes)
        at_first = starts[first] + np.concatenate([found[0] for _, found in few])
        at_second = starts[second] + np.concatenate([found[1] for _, found in few])
        clear = ~blocked[at_first] & ~blocked[at_second]
        return {few[i][0] for i in np.unique(pair_index[clear]).tolist()}

    def _bare(self, number: int, excluded: npt.NDArray[np.bool_] | None) -> aligner.Grams:
        """A document's codes and excluded text, without its 4-grams (for a run's length)."""
        normalized = self.documents[number].normalized
        assert normalized is not None
        empty = np.zeros(0, dtype=np.int64)
        return aligner.Grams(empty.astype(np.uint64), empty, empty, normalized.codes, excluded)

    # --- one new document -------------------------------------------------------------------

    def _lookup(
        self, prints: Fingerprints, indexes: list[Index], common_df: int, short: bool = False
    ) -> tuple[
        npt.NDArray[np.bool_],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]:
        """The new document's fingerprints against indexes: which are common, and the seeds
        (own position, document, source position) of the others, grouped by document.
        Vectorised: a hash held by many documents is set aside by its document count, without
        visiting its thousands of index entries, so the cost follows the new document."""
        df = np.ones(len(prints), dtype=np.int64)  # the new document itself
        for index in indexes:
            unique, counts = self._frequency(index, indexes)
            if len(unique):
                at = np.minimum(np.searchsorted(unique, prints.hashes), len(unique) - 1)
                hit = unique[at] == prints.hashes
                df[hit] += counts[at[hit]]
        if self.outside is not None:
            df += self.outside.frequency(prints.hashes, short)
        common = df > common_df
        shared = (df >= 2) & ~common
        own_parts, doc_parts, source_parts = [], [], []
        for hashes, docs, positions in indexes:
            wanted, own = prints.hashes[shared], prints.positions[shared].astype(np.int64)
            left = np.searchsorted(hashes, wanted, side="left")
            lengths = np.minimum(
                np.searchsorted(hashes, wanted, side="right") - left, 4 * common_df
            )
            total = int(lengths.sum())
            if total == 0:
                continue
            firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            entries = np.repeat(left, lengths) + (np.arange(total) - firsts)
            own_parts.append(np.repeat(own, lengths))
            doc_parts.append(docs[entries].astype(np.int64))
            source_parts.append(positions[entries].astype(np.int64))
        if not own_parts:
            empty = np.zeros(0, dtype=np.int64)
            return common, empty, empty, empty
        own_all, docs_all = np.concatenate(own_parts), np.concatenate(doc_parts)
        source_all = np.concatenate(source_parts)
        order = np.argsort(docs_all, kind="stable")
        return common, own_all[order], docs_all[order], source_all[order]

    def _frequency(self, index: Index, indexes: list[Index]) -> Frequency:
        key = id(index[0])
        if key not in self._frequencies:
            live = {id(i[0]) for i in (*self._main, *self._delta)}
            self._frequencies = {k: v for k, v in self._frequencies.items() if k in live}
            self._frequencies[key] = _document_frequency(index)
        return self._frequencies[key]

    def _common_of(self, document: Document) -> npt.NDArray[np.int64]:
        """The positions of an indexed document's common-text fingerprints."""
        prints = document.fingerprints
        if prints is None:
            return np.zeros(0, dtype=np.int64)
        main, delta = self._indexes()
        df = np.zeros(len(prints), dtype=np.int64)
        for index in (main[0], delta[0]):
            unique, counts = self._frequency(index, [main[0], delta[0]])
            if len(unique):
                at = np.minimum(np.searchsorted(unique, prints.hashes), len(unique) - 1)
                hit = unique[at] == prints.hashes
                df[hit] += counts[at[hit]]
        if self.outside is not None:
            df += self.outside.frequency(prints.hashes, False)
        # The new document itself may hold the hash too: one more, as in _lookup.
        return prints.positions[df + 1 > self.common_df].astype(np.int64)

    def check(self, document: Document) -> Report:
        """One document against the indexed corpus, without adding it."""
        self.prepare(document)
        report = Report(id=document.id, chars=len(document.text), error=document.error)
        if (
            document.fingerprints is None
            or document.normalized is None
            or document.short_prints is None
        ):
            return report
        main, delta = self._indexes()
        common, own, docs, source = self._lookup(
            document.fingerprints, [main[0], delta[0]], self.common_df
        )
        _, short_own, short_docs, short_source = self._lookup(
            document.short_prints, [main[1], delta[1]], self._short_common_df(), short=True
        )
        candidates: set[int] = set()
        codes = document.normalized.codes
        common_positions = document.fingerprints.positions[common].astype(np.int64)
        excluded = self._excluded(document, common_positions)
        bare = aligner.Grams(np.zeros(0, dtype=np.uint64), own[:0], own[:0], codes, excluded)
        for lo, hi in _groups(docs):
            number = int(docs[lo])
            if hi - lo < MIN_SEEDS:
                # The new document's common text is set aside; the other's is the same text.
                other_bare = self._bare(number, None)
                if not any(
                    _run_length(bare, other_bare, x, y) >= VERIFY_RUN
                    for x, y in zip(own[lo:hi].tolist(), source[lo:hi].tolist(), strict=True)
                ):
                    continue
            candidates.add(number)
        for lo, hi in _groups(short_docs):
            if _concentrated(short_own[lo:hi], MIN_SHORT_SEEDS, SHORT_SPAN) and _concentrated(
                short_source[lo:hi], MIN_SHORT_SEEDS, SHORT_SPAN
            ):
                candidates.add(int(short_docs[lo]))
        found: dict[int, list[Passage]] = {}
        seeds_of = {int(docs[lo]): (own[lo:hi], source[lo:hi]) for lo, hi in _groups(docs)}
        short_of = {
            int(short_docs[lo]): (short_own[lo:hi], short_source[lo:hi])
            for lo, hi in _groups(short_docs)
        }
        empty = np.zeros(0, dtype=np.int64)
        for number in sorted(candidates):
            source_document = self.documents[number]
            source_excluded = self._excluded(source_document, self._common_of(source_document))
            long_own, long_source = seeds_of.get(number, (empty, empty))
            near_own, near_source = short_of.get(number, (empty, empty))
            passages = self._align(
                document,
                source_document,
                aligner.grams(
                    codes,
                    excluded,
                    aligner.windows(np.concatenate([long_own, near_own]), len(codes)),
                    document.template_mask,
                ),
                self._near(number, np.concatenate([long_source, near_source]), source_excluded),
            )
            if passages:
                found[number] = passages
        self._fill(report, None, found, common_positions, document=document)
        return report

    # --- shared -----------------------------------------------------------------------------

    def _excluded(
        self, document: Document, common_positions: npt.NDArray[np.int64] | None
    ) -> npt.NDArray[np.bool_] | None:
        """Template text and common text: never part of a copied passage."""
        if document.normalized is None:
            return None
        mask = document.template_mask
        if common_positions is not None and len(common_positions):
            common = self._cover(common_positions, len(document.normalized))
            mask = common if mask is None else mask | common
        return mask

    def _near(
        self, number: int, seeds: npt.NDArray[np.int64], excluded: npt.NDArray[np.bool_] | None
    ) -> aligner.Grams:
        """A document's 4-grams near the seeds it shares with another."""
        document = self.documents[number]
        normalized = document.normalized
        assert normalized is not None
        return aligner.grams(
            normalized.codes,
            excluded,
            aligner.windows(seeds, len(normalized.codes)),
            document.template_mask,
        )

    def _align(
        self,
        document: Document,
        source: Document,
        grams: aligner.Grams,
        source_grams: aligner.Grams,
    ) -> list[Passage]:
        assert document.normalized is not None
        assert source.normalized is not None
        spans = aligner.align(grams, source_grams)
        passages = []
        for span in spans:
            start, end = document.normalized.original_span(span.a_start, span.a_end)
            source_start, source_end = source.normalized.original_span(span.b_start, span.b_end)
            # The punctuation that closes the copied text in both (a full stop) is copied too.
            while (
                end < len(document.text)
                and source_end < len(source.text)
                and document.text[end] == source.text[source_end]
                and document.text[end] in CLOSING
            ):
                end, source_end = end + 1, source_end + 1
            passages.append(Passage(start, end, source_start, source_end))
        return passages

    def _fill(
        self,
        report: Report,
        number: int | None,
        found: dict[int, list[Passage]],
        common_positions: npt.NDArray[np.int64] | None,
        *,
        document: Document | None = None,
    ) -> None:
        document = document or (self.documents[number] if number is not None else None)
        assert document is not None
        if report.error or document.normalized is None:
            return
        owner = document.owner
        all_spans: list[tuple[int, int]] = []
        other_spans: list[tuple[int, int]] = []
        sources = []
        for source_number, passages in found.items():
            source = self.documents[source_number]
            spans = [(p.start, p.end) for p in passages]
            same_owner = owner is not None and source.owner == owner
            all_spans += spans
            if not same_owner:
                other_spans += spans
            copied = union_length(spans)
            sources.append(
                SourceReport(
                    id=source.id,
                    archive=source.archive,
                    same_owner=same_owner,
                    copied_chars=copied,
                    ratio=_ratio(copied, report.chars),
                    passages=passages,
                )
            )
        sources.sort(key=lambda s: (-s.copied_chars, s.id))
        report.sources = sources
        report.copied_chars = union_length(all_spans)
        report.copy_ratio = _ratio(report.copied_chars, report.chars)
        report.max_source_ratio = max((s.ratio for s in sources), default=0.0)
        report.self_copied_chars = report.copied_chars - union_length(other_spans)
        report.copy_ratio_excluding_self = _ratio(union_length(other_spans), report.chars)
        if common_positions is not None and len(common_positions):
            normalized = document.normalized
            starts = np.unique(common_positions)
            ends = np.minimum(starts + self.k, len(normalized)) - 1
            first, last = normalized.offsets[starts], normalized.offsets[ends] + 1
            # Merged in one pass: a span starts where it begins after every earlier end.
            reach = np.maximum.accumulate(last)
            new = np.r_[True, first[1:] > reach[:-1]]
            bounds = np.flatnonzero(new)
            merged_ends = np.maximum.reduceat(last, bounds)
            common_spans = list(zip(first[bounds].tolist(), merged_ends.tolist(), strict=True))
            report.common_chars = union_length(common_spans)
            report.common_spans = common_spans


def _groups(values: npt.NDArray[np.int64]) -> list[tuple[int, int]]:
    """[lo, hi) of each run of equal values in a sorted array."""
    if len(values) == 0:
        return []
    bounds = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return list(zip(bounds.tolist(), np.r_[bounds[1:], len(values)].tolist(), strict=True))


def _seeds_and_common(
    hashes: npt.NDArray[np.uint64],
    docs: npt.NDArray[np.int32],
    positions: npt.NDArray[np.int32],
    common_df: int,
    min_seeds: int,
    outside: Callable[[npt.NDArray[np.uint64]], npt.NDArray[np.int64]] | None = None,
) -> tuple[
    dict[tuple[int, int], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]],
    dict[int, npt.NDArray[np.int64]],
]:
    """From the sorted index: the seeds of every document pair sharing a hash held by 2 to
    `common_df` documents, and for each document the positions of its common-text hashes."""
    if len(hashes) == 0:
        return {}, {}
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    sizes = np.diff(np.r_[starts, len(hashes)])
    # Distinct documents per hash (the index is sorted by hash, then document).
    new_doc = np.r_[True, (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])]
    df = np.add.reduceat(new_doc.astype(np.int64), starts)
    if outside is not None:
        df = df + outside(hashes[starts])

    common: dict[int, npt.NDArray[np.int64]] = {}
    is_common = np.repeat(df > common_df, sizes)
    if is_common.any():
        common_docs, common_positions = docs[is_common], positions[is_common].astype(np.int64)
        order = np.argsort(common_docs, kind="stable")
        common_docs, common_positions = common_docs[order], common_positions[order]
        bounds = np.flatnonzero(np.r_[True, common_docs[1:] != common_docs[:-1]])
        for lo, hi in zip(bounds, np.r_[bounds[1:], len(common_docs)], strict=True):
            common[int(common_docs[lo])] = common_positions[lo:hi]

    shared = (df >= 2) & (df <= common_df)
    firsts, seconds = [], []
    # Hashes held by exactly two occurrences: the bulk, paired without a Python loop.
    pair_groups = shared & (sizes == 2)
    first_index = starts[pair_groups]
    firsts.append(first_index)
    seconds.append(first_index + 1)
    # Larger groups (a few documents, or a phrase repeated inside one): every pair.
    for start, size in zip(
        starts[shared & (sizes > 2)].tolist(), sizes[shared & (sizes > 2)].tolist(), strict=True
    ):
        # One phrase repeated hundreds of times in a document: the first occurrences suffice.
        i, j = np.triu_indices(min(size, 4 * common_df), k=1)
        firsts.append(start + i)
        seconds.append(start + j)
    first = np.concatenate(firsts)
    second = np.concatenate(seconds)
    doc_first, doc_second = docs[first].astype(np.int64), docs[second].astype(np.int64)
    different = doc_first != doc_second
    first, second = first[different], second[different]
    doc_first, doc_second = doc_first[different], doc_second[different]
    # Orient every seed as (lower document, higher document).
    swap = doc_first > doc_second
    low_doc = np.where(swap, doc_second, doc_first)
    high_doc = np.where(swap, doc_first, doc_second)
    low_pos = np.where(swap, positions[second], positions[first]).astype(np.int64)
    high_pos = np.where(swap, positions[first], positions[second]).astype(np.int64)

    seeds: dict[tuple[int, int], tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = {}
    if len(low_doc) == 0:
        return seeds, common
    span = int(max(low_doc.max(), high_doc.max())) + 1
    keys = low_doc * span + high_doc
    order = np.argsort(keys, kind="stable")
    keys, low_pos, high_pos = keys[order], low_pos[order], high_pos[order]
    bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[bounds[1:], len(keys)]
    for first_seed, end_seed in zip(bounds.tolist(), ends.tolist(), strict=True):
        if end_seed - first_seed < min_seeds:
            continue
        key = int(keys[first_seed])
        seeds[(key // span, key % span)] = (
            low_pos[first_seed:end_seed],
            high_pos[first_seed:end_seed],
        )
    return seeds, common
