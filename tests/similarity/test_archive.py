"""The compact archive index: built on disk, memory-mapped, checked against."""

from __future__ import annotations

import random

import numpy as np

from banzu.similarity.archive import ArchiveIndex, build
from banzu.similarity.engine import Corpus, Document


def chinese(seed: int, length: int) -> str:
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))


def test_the_index_finds_what_the_in_memory_corpus_finds(tmp_path):
    archive = [(f"a{i}", chinese(100 + i, 3000)) for i in range(30)]
    sentence = "该班组全年开展质量攻关活动十二次成效显著。"
    archive[7] = ("a7", archive[7][1][:1000] + sentence + archive[7][1][1000:])
    new = chinese(1, 500) + archive[3][1][200:900] + chinese(2, 300) + sentence + chinese(3, 200)

    assert build(tmp_path / "index", iter(archive)) == 30
    index = ArchiveIndex(tmp_path / "index")
    report = index.check("new", new)

    corpus = Corpus()
    for doc_id, text in archive:
        corpus.add(Document(doc_id, text, archive=True))
    expected = corpus.check(Document("new", new))
    assert [(s.id, s.copied_chars, s.passages) for s in report.sources] == [
        (s.id, s.copied_chars, s.passages) for s in expected.sources
    ]
    assert [(s.id, s.copied_chars) for s in report.sources] == [("a3", 700), ("a7", 21)]
    assert (report.copied_chars, report.copy_ratio) == (721, round(721 / len(new), 4))


def test_the_index_is_two_sorted_arrays_of_one_uint64_per_fingerprint(tmp_path):
    build(tmp_path / "index", ((f"a{i}", chinese(i, 3000)) for i in range(5)))
    index = ArchiveIndex(tmp_path / "index")

    assert index.long.dtype == index.short.dtype == np.uint64
    assert isinstance(index.long, np.memmap)
    assert bool((index.long[1:] >= index.long[:-1]).all())
    assert bool((index.short[1:] >= index.short[:-1]).all())
    # About 2/9 of the 11-grams and 1/6 of the 5-grams of 15,000 characters, 8 bytes each.
    assert 0.3 * 15_000 * 8 < index.nbytes() < 0.5 * 15_000 * 8
    assert index.text(2) == chinese(2, 3000)
