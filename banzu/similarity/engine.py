"""The similarity engine: documents in, copy figures and passages out. No Django.

`Corpus` holds fingerprinted documents — this edition's (checked) and the archive's (sources
only) — and the template texts, whose k-grams never count. `scan()` checks every edition
document against all others at once: fingerprints of the whole corpus are sorted together, each
hash shared by 2 to `common_df` documents gives seeds for the pairs that share it, a hash in more
documents than that is common text (reported apart, never as copying), and each pair with enough
seeds is aligned into passages. `check(document)` does the same for one new document against the
indexed corpus, in time proportional to that document (a binary search per fingerprint).

Figures are named as the industry names them: total copy ratio (总文字复制比) = copied
characters / all characters, each character counted once whatever the number of sources; the
largest single-source ratio (单篇最大文字复制比); and, when owners are known, the ratio without
the enterprise's own earlier documents (去除本人文献复制比).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from banzu.similarity import align as aligner
from banzu.similarity.fingerprint import WINDOW, Fingerprints, K, fingerprint, kgram_hashes
from banzu.similarity.normalize import Normalized, normalize

COMMON_DF = 10
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


class Corpus:
    def __init__(self, *, k: int = K, window: int = WINDOW, common_df: int = COMMON_DF) -> None:
        self.k, self.window, self.common_df = k, window, common_df
        self.documents: list[Document] = []
        self._template_hashes = np.zeros(0, dtype=np.uint64)
        # Two sorted indexes: the main one over documents [0, _main_upto) and a small delta over
        # the documents added since, so that adding one document costs time in proportion to
        # the delta, not to the corpus; the delta is folded in when it grows past a tenth.
        self._main: Index = _empty_index()
        self._main_upto = 0
        self._delta: Index = _empty_index()
        self._delta_upto = 0
        # Per index: its distinct hashes and their document counts (computed when first needed).
        self._frequencies: dict[int, Frequency] = {}

    # --- input ----------------------------------------------------------------------------

    def add_template(self, text: str) -> None:
        """Every k-gram of a template (the notice, blank forms, the rubric) is ignored."""
        if self.documents:
            raise ValueError("add the templates before the documents")
        hashes = kgram_hashes(normalize(text).codes, self.k)
        self._template_hashes = np.union1d(self._template_hashes, hashes)

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
                document.template_mask = self._template_mask(normalized)
        return document

    def _template_mask(self, normalized: Normalized) -> npt.NDArray[np.bool_] | None:
        """Which normalised characters lie in a k-gram of template text."""
        if len(self._template_hashes) == 0:
            return None
        starts = np.isin(kgram_hashes(normalized.codes, self.k), self._template_hashes)
        if not starts.any():
            return None
        # Character i is covered when a template k-gram starts in [i - k + 1, i].
        counts = np.concatenate([[0], np.cumsum(starts)])
        index = np.arange(len(normalized))
        upper = np.minimum(index + 1, len(starts))
        lower = np.clip(index - self.k + 1, 0, len(starts))
        return np.asarray((counts[upper] - counts[lower]) > 0)

    def add(self, document: Document) -> Document:
        self.documents.append(self.prepare(document))
        return document

    # --- the index --------------------------------------------------------------------------

    def _index_of(self, first: int, last: int) -> Index:
        hashes, docs, positions = [], [], []
        for number in range(first, last):
            prints = self.documents[number].fingerprints
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

    def _full_index(self) -> Index:
        """One index over every document (the scan needs them sorted together)."""
        if self._main_upto != len(self.documents):
            self._main = self._index_of(0, len(self.documents))
            self._main_upto = self._delta_upto = len(self.documents)
            self._delta = _empty_index()
        return self._main

    def _indexes(self) -> tuple[Index, Index]:
        """The main index and the delta, brought up to date at the cost of the delta alone."""
        count = len(self.documents)
        if self._main_upto == 0 or count - self._main_upto > max(64, self._main_upto // 10):
            self._full_index()
        elif self._delta_upto != count:
            self._delta = self._index_of(self._main_upto, count)
            self._delta_upto = count
        return self._main, self._delta

    # --- the full scan ----------------------------------------------------------------------

    def scan(self) -> list[Report]:
        """Every edition document against every other document and the archive."""
        hashes, docs, positions = self._full_index()
        seeds, common = _seeds_and_common(hashes, docs, positions, self.common_df)
        reports = {
            number: Report(id=d.id, chars=len(d.text), error=d.error)
            for number, d in enumerate(self.documents)
            if not d.archive
        }
        found: dict[int, dict[int, list[Passage]]] = defaultdict(dict)
        for (first, second), (pos_first, pos_second) in seeds.items():
            for a, b, seeds_a, seeds_b in (
                (first, second, pos_first, pos_second),
                (second, first, pos_second, pos_first),
            ):
                if a not in reports:
                    continue
                passages = self._passages(a, b, seeds_a, seeds_b)
                if passages:
                    found[a][b] = passages
        for number, report in reports.items():
            self._fill(report, number, found.get(number, {}), common.get(number))
        return [reports[number] for number in sorted(reports)]

    # --- one new document -------------------------------------------------------------------

    def check(self, document: Document) -> Report:
        """One document against the indexed corpus, without adding it. Vectorised: a hash held
        by many documents (common text) is set aside by its document count, without visiting
        its thousands of index entries, so the cost follows the new document."""
        self.prepare(document)
        report = Report(id=document.id, chars=len(document.text), error=document.error)
        if document.fingerprints is None or document.normalized is None:
            return report
        prints = document.fingerprints
        indexes = self._indexes()
        df = np.ones(len(prints), dtype=np.int64)  # the new document itself
        for index in indexes:
            key = id(index[0])
            if key not in self._frequencies:
                self._frequencies = {
                    k: v for k, v in self._frequencies.items() if k in {id(i[0]) for i in indexes}
                }
                self._frequencies[key] = _document_frequency(index)
            unique, counts = self._frequencies[key]
            if len(unique):
                at = np.minimum(np.searchsorted(unique, prints.hashes), len(unique) - 1)
                hit = unique[at] == prints.hashes
                df[hit] += counts[at[hit]]
        common = df > self.common_df
        shared = (df >= 2) & ~common
        own_parts, doc_parts, source_parts = [], [], []
        for hashes, docs, positions in indexes:
            wanted, own = prints.hashes[shared], prints.positions[shared].astype(np.int64)
            left = np.searchsorted(hashes, wanted, side="left")
            lengths = np.minimum(
                np.searchsorted(hashes, wanted, side="right") - left, 4 * self.common_df
            )
            total = int(lengths.sum())
            if total == 0:
                continue
            firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
            entries = np.repeat(left, lengths) + (np.arange(total) - firsts)
            own_parts.append(np.repeat(own, lengths))
            doc_parts.append(docs[entries])
            source_parts.append(positions[entries].astype(np.int64))
        found: dict[int, list[Passage]] = {}
        if own_parts:
            own_all, docs_all = np.concatenate(own_parts), np.concatenate(doc_parts)
            source_all = np.concatenate(source_parts)
            order = np.argsort(docs_all, kind="stable")
            own_all, docs_all, source_all = own_all[order], docs_all[order], source_all[order]
            bounds = np.flatnonzero(np.r_[True, docs_all[1:] != docs_all[:-1]])
            for lo, hi in zip(
                bounds.tolist(), np.r_[bounds[1:], len(docs_all)].tolist(), strict=True
            ):
                if hi - lo < aligner.MIN_SEEDS:
                    continue
                source = int(docs_all[lo])
                passages = self._align(
                    document, self.documents[source], own_all[lo:hi], source_all[lo:hi]
                )
                if passages:
                    found[source] = passages
        self._fill(
            report,
            None,
            found,
            prints.positions[common].astype(np.int64),
            document=document,
        )
        return report

    # --- shared -----------------------------------------------------------------------------

    def _passages(
        self, a: int, b: int, seeds_a: npt.NDArray[np.int64], seeds_b: npt.NDArray[np.int64]
    ) -> list[Passage]:
        return self._align(self.documents[a], self.documents[b], seeds_a, seeds_b)

    def _align(
        self,
        document: Document,
        source: Document,
        seeds_a: npt.NDArray[np.int64],
        seeds_b: npt.NDArray[np.int64],
    ) -> list[Passage]:
        assert document.normalized is not None
        assert source.normalized is not None
        spans = aligner.align(
            seeds_a, seeds_b, document.normalized.codes, source.normalized.codes, self.k
        )
        passages = []
        for span in spans:
            if document.template_mask is not None and not _trim(span, document.template_mask):
                continue
            start, end = document.normalized.original_span(span.a_start, span.a_end)
            source_start, source_end = source.normalized.original_span(span.b_start, span.b_end)
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
            common_spans = [
                normalized.original_span(int(p), min(int(p) + self.k, len(normalized)))
                for p in np.unique(common_positions)
            ]
            report.common_chars = union_length(common_spans)
            report.common_spans = merge_spans(common_spans)


def _trim(span: aligner.Span, template: npt.NDArray[np.bool_]) -> bool:
    """Cut template text off the ends of a passage (its source is cut by the same amounts).
    False when nothing but template text is left."""
    own = np.flatnonzero(~template[span.a_start : span.a_end])
    if len(own) == 0:
        return False
    head, tail = int(own[0]), span.length - int(own[-1]) - 1
    span.a_start += head
    span.a_end -= tail
    span.b_start = min(span.b_start + head, span.b_end - 1)
    span.b_end = max(span.b_end - tail, span.b_start + 1)
    return True


def _seeds_and_common(
    hashes: npt.NDArray[np.uint64],
    docs: npt.NDArray[np.int32],
    positions: npt.NDArray[np.int32],
    common_df: int,
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
        if end_seed - first_seed < aligner.MIN_SEEDS:
            continue
        key = int(keys[first_seed])
        seeds[(key // span, key % span)] = (
            low_pos[first_seed:end_seed],
            high_pos[first_seed:end_seed],
        )
    return seeds, common
