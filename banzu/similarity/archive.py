"""A compact archive index on disk: many years of archived documents, checked against on one
machine. No Django.

`Corpus` keeps every document in memory (text, normalised code points and offsets, fingerprints:
about 360 KB for 30,000 characters); fine for one edition, not for 100,000 archived documents.
`ArchiveIndex` keeps, per document, only its fingerprints (the winnowed 11-grams and the sampled
5-grams of `Corpus`), each as one uint64: the top 44 bits of the hash and a 20-bit document number
(up to 1,048,576 documents; a false match of 44 bits is about 1 in 17 trillion per entry), sorted
and memory-mapped from two .npy files. No per-document Python objects are held; the texts are
read back (zlib, one blob per document) only for the few documents a check aligns with.

`build()` streams the documents once into 16 bucket files by the top bits of the key, then sorts
each bucket alone, so building needs memory for one sixteenth of the index, not all of it.
`check()` looks each fingerprint of the new document up by binary search (its document count
says whether it is common text), ranks the documents that share seeds with it, and aligns the
best of them with `align` as `Corpus.check` does.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from banzu.similarity import align as aligner
from banzu.similarity.engine import (
    CLOSING,
    COMMON_DF,
    MIN_SEEDS,
    MIN_SHORT_SEEDS,
    SHORT_K,
    SHORT_MODULUS,
    SHORT_SPAN,
    Passage,
    Report,
    SourceReport,
    _concentrated,
    _groups,
    _ratio,
    union_length,
)
from banzu.similarity.fingerprint import WINDOW, K, fingerprint, sample
from banzu.similarity.normalize import normalize

DOC_BITS = 20
MAX_DOCUMENTS = 1 << DOC_BITS
BUCKETS = 16
# A check aligns at most this many archive documents (the most seeds first): one alignment
# reads, normalises and compares a document (about 10 ms for 30,000 characters).
MAX_ALIGNED = 48
_DOC_MASK = np.uint64(MAX_DOCUMENTS - 1)
_KEY_MASK = ~_DOC_MASK


def _keys(hashes: npt.NDArray[np.uint64], number: int) -> npt.NDArray[np.uint64]:
    return (hashes & _KEY_MASK) | np.uint64(number)


def _prints(text: str) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]]:
    codes = normalize(text).codes
    return (
        fingerprint(codes, k=K, window=WINDOW).hashes,
        sample(codes, k=SHORT_K, modulus=SHORT_MODULUS).hashes,
    )


def build(folder: Path, documents: Iterable[tuple[str, str]]) -> int:
    """Write the index of (id, text) documents into `folder`; returns how many."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: list[str] = []
    buckets = {
        kind: [(folder / f"{kind}.{n:02d}.tmp").open("wb") for n in range(BUCKETS)]
        for kind in ("long", "short")
    }
    shift = np.uint64(64 - 4)
    with (folder / "texts.bin").open("wb") as texts:
        offsets = [0]
        for doc_id, text in documents:
            number = len(ids)
            if number >= MAX_DOCUMENTS:
                raise ValueError(f"an archive index holds at most {MAX_DOCUMENTS} documents")
            ids.append(doc_id)
            blob = zlib.compress(text.encode("utf-8"), 6)
            texts.write(blob)
            offsets.append(offsets[-1] + len(blob))
            for kind, hashes in zip(("long", "short"), _prints(text), strict=True):
                keys = _keys(hashes, number)
                which = (keys >> shift).astype(np.int64)
                for bucket in np.unique(which).tolist():
                    keys[which == bucket].tofile(buckets[kind][bucket])
    for kind, files in buckets.items():
        for handle in files:
            handle.close()
        sizes = [(folder / f"{kind}.{n:02d}.tmp").stat().st_size // 8 for n in range(BUCKETS)]
        out = np.lib.format.open_memmap(
            folder / f"{kind}.npy", mode="w+", dtype=np.uint64, shape=(sum(sizes),)
        )
        at = 0
        for n, size in enumerate(sizes):
            part = folder / f"{kind}.{n:02d}.tmp"
            out[at : at + size] = np.sort(np.fromfile(part, dtype=np.uint64))
            at += size
            part.unlink()
        out.flush()
        del out
    np.save(folder / "offsets.npy", np.array(offsets, dtype=np.int64))
    (folder / "ids.json").write_text(json.dumps(ids), encoding="utf-8")
    return len(ids)


class ArchiveIndex:
    """An index written by `build()`, memory-mapped."""

    def __init__(self, folder: Path, *, common_df: int = COMMON_DF) -> None:
        self.folder = folder
        self.common_df = common_df
        self.ids: list[str] = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        self.long = np.load(folder / "long.npy", mmap_mode="r")
        self.short = np.load(folder / "short.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy")

    def nbytes(self) -> int:
        """The index proper: both key arrays (not the texts)."""
        return int(self.long.nbytes + self.short.nbytes)

    def text(self, number: int) -> str:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        with (self.folder / "texts.bin").open("rb") as handle:
            handle.seek(start)
            return zlib.decompress(handle.read(end - start)).decode("utf-8")

    def _lookup(
        self, keys: npt.NDArray[np.uint64], hashes: npt.NDArray[np.uint64], common_df: int
    ) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Which hashes are common, and for the others the (fingerprint number, document)
        pairs of the index entries that share them."""
        low = hashes & _KEY_MASK
        left = np.searchsorted(keys, low, side="left")
        right = np.searchsorted(keys, low | _DOC_MASK, side="right")
        df = right - left + 1  # the new document holds it too
        common = df > common_df
        lengths = np.where(common, 0, right - left)
        total = int(lengths.sum())
        if total == 0:
            empty = np.zeros(0, dtype=np.int64)
            return common, empty, empty
        firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        entries = np.repeat(left, lengths) + (np.arange(total) - firsts)
        docs = (np.asarray(keys[entries]) & _DOC_MASK).astype(np.int64)
        return common, np.repeat(np.arange(len(hashes)), lengths), docs

    def check(self, doc_id: str, text: str) -> Report:
        """One new document against the archive (sources only; no owners, no templates)."""
        report = Report(id=doc_id, chars=len(text))
        normalized = normalize(text)
        if len(normalized) < K:
            report.error = "no text to compare (too short once punctuation is removed)"
            return report
        prints = fingerprint(normalized.codes, k=K, window=WINDOW)
        short = sample(normalized.codes, k=SHORT_K, modulus=SHORT_MODULUS)
        short_df = max(self.common_df, len(self.ids) // 1000)
        common, _, long_docs = self._lookup(self.long, prints.hashes, self.common_df)
        _, short_at, short_docs = self._lookup(self.short, short.hashes, short_df)
        ranked: dict[int, int] = {}
        numbers, counts = np.unique(long_docs, return_counts=True)
        for number, count in zip(numbers.tolist(), counts.tolist(), strict=True):
            # Fewer than MIN_SEEDS: a lone copied sentence, or chance; ranked below.
            ranked[number] = count * (4 if count >= MIN_SEEDS else 1)
        order = np.argsort(short_docs, kind="stable")
        short_docs = short_docs[order]
        short_pos = short.positions[short_at[order]].astype(np.int64)
        for lo, hi in _groups(short_docs):
            if _concentrated(short_pos[lo:hi], MIN_SHORT_SEEDS, SHORT_SPAN):
                number = int(short_docs[lo])
                ranked[number] = ranked.get(number, 0) + 4 * (hi - lo)
        common_positions = prints.positions[common].astype(np.int64)
        excluded = _cover(common_positions, K, len(normalized))
        grams = aligner.grams(normalized.codes, excluded)
        best = sorted(ranked, key=lambda n: (-ranked[n], n))[:MAX_ALIGNED]
        spans_all: list[tuple[int, int]] = []
        for number in best:
            source_text = self.text(number)
            source = normalize(source_text)
            passages = []
            for span in aligner.align(grams, aligner.grams(source.codes)):
                start, end = normalized.original_span(span.a_start, span.a_end)
                b_start, b_end = source.original_span(span.b_start, span.b_end)
                while (
                    end < len(text)
                    and b_end < len(source_text)
                    and text[end] == source_text[b_end]
                    and text[end] in CLOSING
                ):
                    end, b_end = end + 1, b_end + 1
                passages.append(Passage(start, end, b_start, b_end))
            if passages:
                spans = [(p.start, p.end) for p in passages]
                spans_all += spans
                copied = union_length(spans)
                report.sources.append(
                    SourceReport(
                        id=self.ids[number],
                        archive=True,
                        same_owner=False,
                        copied_chars=copied,
                        ratio=_ratio(copied, report.chars),
                        passages=passages,
                    )
                )
        report.sources.sort(key=lambda s: (-s.copied_chars, s.id))
        report.copied_chars = union_length(spans_all)
        report.copy_ratio = _ratio(report.copied_chars, report.chars)
        report.copy_ratio_excluding_self = report.copy_ratio
        report.max_source_ratio = max((s.ratio for s in report.sources), default=0.0)
        return report


def _cover(positions: npt.NDArray[np.int64], k: int, length: int) -> npt.NDArray[np.bool_]:
    marks = np.zeros(length + 1, dtype=np.int64)
    np.add.at(marks, np.minimum(positions, length), 1)
    np.add.at(marks, np.minimum(positions + k, length), -1)
    return np.asarray(np.cumsum(marks)[:length] > 0)
