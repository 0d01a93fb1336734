"""A compact archive index on disk: many years of archived documents, checked against on one
machine. No Django.

`Corpus` keeps every document in memory (text, normalised code points and offsets, fingerprints:
about 412 KB for 30,000 characters); fine for one edition, not for 100,000 archived documents.
`ArchiveIndex` keeps, per document, only its distinct fingerprints (the winnowed 11-grams and the
sampled 5-grams of `Corpus`), each as one uint64: the top 44 bits of the hash and a 20-bit
document number (up to 1,048,576 documents; a false match of 44 bits is about 1 in 17 trillion
per entry), sorted and memory-mapped from two .npy files, and each document's owner. No
per-document Python objects are held; the texts are read back (zlib, one blob per document) only
for the documents that share seeds with the documents checked.

`build()` streams the documents once into 16 bucket files by the top bits of the key, then sorts
each bucket alone, so building needs memory for one sixteenth of the index, not all of it.

`attach(corpus, index, documents)` is how a check uses it: the archive documents that share a
seed with one of `documents` (found by binary search) are loaded into the corpus as archive
sources with their owners, and the corpus is told of the rest (`Outside`: how many documents
hold each hash, and how many there are), so that common text and the short seeds' threshold are
decided over the whole archive. Templates are the corpus's, so the results are the ones the
corpus would give with the whole archive loaded (tests/similarity/test_archive.py), as long as
no document shares seeds with more than MAX_LOADED archive documents: beyond that, those that
share the fewest are left out (ranked as the seeds count: three long seeds or more weigh four
times, concentrated short seeds four times).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import numpy.typing as npt

from banzu.similarity.engine import (
    COMMON_DF,
    DEGENERATE_DISTINCT_SHARE,
    DEGENERATE_MIN_FINGERPRINTS,
    MIN_SEEDS,
    MIN_SHORT_SEEDS,
    SHORT_K,
    SHORT_MODULUS,
    SHORT_SPAN,
    Corpus,
    Document,
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
# A checked document loads at most this many archive documents, those sharing the most seeds
# with it: the corpus holds each (about 412 KB) and compares it (about 10 ms). Only where more
# share seeds with one document may the results differ from the whole archive loaded: the
# documents sharing the fewest seeds (chance, phrases of a few documents) are not compared.
MAX_LOADED = 48
_DOC_MASK = np.uint64(MAX_DOCUMENTS - 1)
_KEY_MASK = ~_DOC_MASK

ArchiveItem = tuple[str, str] | tuple[str, str, str | None]


def _keys(hashes: npt.NDArray[np.uint64], number: int) -> npt.NDArray[np.uint64]:
    # One entry per distinct hash of a document: the count of a key is its document count.
    return np.unique((hashes & _KEY_MASK) | np.uint64(number))


def _prints(text: str) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None:
    """A document's fingerprints, or None where `Corpus.prepare` finds no text to compare."""
    codes = normalize(text).codes
    if len(codes) < K:
        return None
    long = fingerprint(codes, k=K, window=WINDOW).hashes
    if len(long) >= DEGENERATE_MIN_FINGERPRINTS and len(
        np.unique(long)
    ) < DEGENERATE_DISTINCT_SHARE * len(long):
        return None
    return long, sample(codes, k=SHORT_K, modulus=SHORT_MODULUS).hashes


def build(folder: Path, documents: Iterable[ArchiveItem]) -> int:
    """Write the index of (id, text) or (id, text, owner) documents into `folder`; returns how
    many."""
    folder.mkdir(parents=True, exist_ok=True)
    ids: list[str] = []
    owners: list[str | None] = []
    buckets = {
        kind: [(folder / f"{kind}.{n:02d}.tmp").open("wb") for n in range(BUCKETS)]
        for kind in ("long", "short")
    }
    shift = np.uint64(64 - 4)
    with (folder / "texts.bin").open("wb") as texts:
        offsets = [0]
        for item in documents:
            doc_id, text = item[0], item[1]
            number = len(ids)
            if number >= MAX_DOCUMENTS:
                raise ValueError(f"an archive index holds at most {MAX_DOCUMENTS} documents")
            ids.append(doc_id)
            owners.append(item[2] if len(item) > 2 else None)
            blob = zlib.compress(text.encode("utf-8"), 6)
            texts.write(blob)
            offsets.append(offsets[-1] + len(blob))
            prints = _prints(text)
            if prints is None:
                continue
            for kind, hashes in zip(("long", "short"), prints, strict=True):
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
    (folder / "owners.json").write_text(json.dumps(owners), encoding="utf-8")
    return len(ids)


class ArchiveIndex:
    """An index written by `build()`, memory-mapped."""

    def __init__(self, folder: Path, *, common_df: int = COMMON_DF) -> None:
        self.folder = folder
        self.common_df = common_df
        self.ids: list[str] = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        owners = folder / "owners.json"
        self.owners: list[str | None] = (
            json.loads(owners.read_text(encoding="utf-8"))
            if owners.is_file()
            else [None] * len(self.ids)
        )
        self.long = np.load(folder / "long.npy", mmap_mode="r")
        self.short = np.load(folder / "short.npy", mmap_mode="r")
        self.offsets = np.load(folder / "offsets.npy")
        # Opened now, like the memory maps: a check keeps reading an index that a newer one
        # replaced and whose folder was removed.
        self._texts = (folder / "texts.bin").open("rb")

    def nbytes(self) -> int:
        """The index proper: both key arrays (not the texts)."""
        return int(self.long.nbytes + self.short.nbytes)

    def text(self, number: int) -> str:
        start, end = int(self.offsets[number]), int(self.offsets[number + 1])
        return zlib.decompress(os.pread(self._texts.fileno(), end - start, start)).decode("utf-8")

    def close(self) -> None:
        self._texts.close()

    def __del__(self) -> None:  # an index dropped without close() leaves no open file
        texts = getattr(self, "_texts", None)
        if texts is not None:
            texts.close()

    def frequency(self, hashes: npt.NDArray[np.uint64], short: bool) -> npt.NDArray[np.int64]:
        """How many archive documents hold each hash (by its top 44 bits)."""
        keys = self.short if short else self.long
        low = hashes & _KEY_MASK
        left = np.searchsorted(keys, low, side="left")
        right = np.searchsorted(keys, low | _DOC_MASK, side="right")
        return np.asarray(right - left, dtype=np.int64)

    def _lookup(
        self, keys: npt.NDArray[np.uint64], hashes: npt.NDArray[np.uint64], common_df: int
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The (fingerprint number, document) pairs of the index entries that share the
        hashes held by at most `common_df` documents (counting the one that holds them)."""
        low = hashes & _KEY_MASK
        left = np.searchsorted(keys, low, side="left")
        right = np.searchsorted(keys, low | _DOC_MASK, side="right")
        lengths = np.where(right - left + 1 > common_df, 0, right - left)
        total = int(lengths.sum())
        if total == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty
        firsts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        entries = np.repeat(left, lengths) + (np.arange(total) - firsts)
        docs = (np.asarray(keys[entries]) & _DOC_MASK).astype(np.int64)
        return np.repeat(np.arange(len(hashes)), lengths), docs

    def sharing(
        self, document: Document, common_df: int, short_df: int, limit: int = MAX_LOADED
    ) -> set[int]:
        """The archive documents that may share seeds with a prepared document: a long seed
        that is not common text, or short seeds concentrated in the document (a superset of the
        pairs the corpus compares), at most `limit` of them, those sharing the most seeds."""
        prints, short = document.fingerprints, document.short_prints
        if prints is None or short is None:
            return set()
        ranked: dict[int, int] = {}
        _, long_docs = self._lookup(self.long, prints.hashes, common_df)
        numbers, counts = np.unique(long_docs, return_counts=True)
        for number, count in zip(numbers.tolist(), counts.tolist(), strict=True):
            # Fewer than MIN_SEEDS: a lone copied sentence, or chance; ranked below.
            ranked[number] = count * (4 if count >= MIN_SEEDS else 1)
        short_at, short_docs = self._lookup(self.short, short.hashes, short_df)
        order = np.argsort(short_docs, kind="stable")
        short_docs = short_docs[order]
        positions = short.positions[short_at[order]].astype(np.int64)
        for lo, hi in _groups(short_docs):
            if _concentrated(positions[lo:hi], MIN_SHORT_SEEDS, SHORT_SPAN):
                number = int(short_docs[lo])
                ranked[number] = ranked.get(number, 0) + 4 * (hi - lo)
        return set(sorted(ranked, key=lambda n: (-ranked[n], n))[:limit])

    def check(
        self,
        doc_id: str,
        text: str,
        *,
        owner: str | None = None,
        templates: Iterable[str] = (),
    ) -> Report:
        """One new document against the archive, as `Corpus.check` with the whole archive
        loaded would report it."""
        corpus = Corpus(common_df=self.common_df)
        for template in templates:
            corpus.add_template(template)
        document = corpus.prepare(Document(doc_id, text, owner=owner))
        attach(corpus, self, [document])
        return corpus.check(document)


class _Rest:
    """The archive documents not loaded into a corpus (`engine.Outside`)."""

    def __init__(self, index: ArchiveIndex, loaded: list[Document]) -> None:
        self.index = index
        self.count = len(index.ids) - len(loaded)
        self._loaded = {short: self._sorted(loaded, short) for short in (False, True)}

    @staticmethod
    def _sorted(loaded: list[Document], short: bool) -> npt.NDArray[np.uint64]:
        parts = [
            np.unique(prints.hashes & _KEY_MASK)
            for document in loaded
            if (prints := document.short_prints if short else document.fingerprints) is not None
        ]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)

    def frequency(self, hashes: npt.NDArray[np.uint64], short: bool) -> npt.NDArray[np.int64]:
        loaded = self._loaded[short]
        low = hashes & _KEY_MASK
        inside = np.searchsorted(loaded, low, side="right") - np.searchsorted(
            loaded, low, side="left"
        )
        return np.maximum(self.index.frequency(hashes, short) - inside, 0)


def attach(
    corpus: Corpus,
    index: ArchiveIndex,
    documents: Iterable[Document],
    limit: int = MAX_LOADED,
    others: int = 0,
) -> list[str]:
    """Load into `corpus` (this edition's documents, prepared) the archive documents that share
    seeds with `documents`, as archive sources with their owners, and tell it of the rest.
    Returns the ids loaded. Call it once, after the corpus's own documents are added."""
    total = len(corpus.documents) + len(index.ids) + others  # others: held elsewhere
    short_df = max(corpus.common_df, total // 1000)
    wanted: set[int] = set()
    for document in documents:
        wanted |= index.sharing(document, corpus.common_df, short_df, limit)
    loaded = []
    for number in sorted(wanted):
        loaded.append(
            corpus.add(
                Document(
                    index.ids[number], index.text(number), archive=True, owner=index.owners[number]
                )
            )
        )
    corpus.outside = _Rest(index, loaded)
    return [document.id for document in loaded]


class _Edition:
    """The archive documents not loaded and this edition's documents but the one checked: what
    the whole corpus holds besides a check's own corpus and its document (`engine.Outside`)."""

    def __init__(self, rest: _Rest, edition: dict[bool, npt.NDArray[np.uint64]], count: int):
        self.rest, self.edition, self.count = rest, edition, count
        self.own: dict[bool, npt.NDArray[np.uint64]] = {}

    def frequency(self, hashes: npt.NDArray[np.uint64], short: bool) -> npt.NDArray[np.int64]:
        held = self.edition[short]
        counts = np.searchsorted(held, hashes, side="right") - np.searchsorted(
            held, hashes, side="left"
        )
        counts -= np.isin(hashes, self.own[short])  # the checked document counts itself
        return self.rest.frequency(hashes, short) + counts


def _distinct(documents: list[Document], short: bool) -> npt.NDArray[np.uint64]:
    parts = [
        np.unique(prints.hashes)
        for document in documents
        if (prints := document.short_prints if short else document.fingerprints) is not None
    ]
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.uint64)


def scan(
    corpus: Corpus,
    index: ArchiveIndex,
    *,
    templates: Iterable[str] = (),
    batch: int = 16,
    limit: int = MAX_LOADED,
) -> list[Report]:
    """`corpus.scan()` of this edition's documents (with `templates`) against each other and
    the archive, holding at most `batch` × `limit` archive documents in memory at once: the
    edition is scanned with the whole archive counted in common text, then each document is
    checked against the archive documents it shares seeds with (`Corpus.check`, loaded for a
    batch of documents at a time) and the sources of both are put together. As `Corpus.check`
    against `Corpus.scan`, an archive source's own common text counts the checked document as
    holding each of its hashes (it may be a little wider where a hash is held by exactly
    `common_df` documents)."""
    templates = list(templates)
    corpus.outside = _Rest(index, [])
    reports = corpus.scan()
    documents = [d for d in corpus.documents if not d.archive and d.fingerprints is not None]
    edition = {short: _distinct(documents, short) for short in (False, True)}
    found: dict[str, list[SourceReport]] = {}
    for first in range(0, len(documents), batch):
        part = documents[first : first + batch]
        side = Corpus(k=corpus.k, window=corpus.window, common_df=corpus.common_df)
        for template in templates:
            side.add_template(template)
        attach(side, index, part, limit, others=len(corpus.documents))
        rest = side.outside
        assert isinstance(rest, _Rest)
        outside = _Edition(rest, edition, rest.count + len(corpus.documents))
        side.outside = outside
        for document in part:
            outside.own = {short: _distinct([document], short) for short in (False, True)}
            found[document.id] = side.check(document).sources
    for report in reports:
        _add_sources(report, found.get(report.id, []))
    return reports


def _add_sources(report: Report, sources: list[SourceReport]) -> None:
    if not sources:
        return
    report.sources = sorted(report.sources + sources, key=lambda s: (-s.copied_chars, s.id))
    spans = [(p.start, p.end) for s in report.sources for p in s.passages]
    others = [(p.start, p.end) for s in report.sources if not s.same_owner for p in s.passages]
    report.copied_chars = union_length(spans)
    report.copy_ratio = _ratio(report.copied_chars, report.chars)
    report.max_source_ratio = max(s.ratio for s in report.sources)
    report.self_copied_chars = report.copied_chars - union_length(others)
    report.copy_ratio_excluding_self = _ratio(union_length(others), report.chars)
