"""The compact archive index: built on disk, memory-mapped, checked against."""

from __future__ import annotations

import random
import shutil

import numpy as np

from banzu.similarity.archive import ArchiveIndex, attach, build
from banzu.similarity.archive import scan as scan_with_archive
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


def _figures(report):
    return (
        report.copied_chars,
        report.copy_ratio,
        report.max_source_ratio,
        report.common_chars,
        report.common_spans,
        report.self_copied_chars,
        report.copy_ratio_excluding_self,
        [
            (s.id, s.archive, s.same_owner, s.copied_chars, s.ratio, s.passages)
            for s in report.sources
        ],
    )


COMMON = "本班组坚持以质量为中心持续改进不断提升全员质量意识和操作技能。"
TEMPLATE = "质量信得过班组建设的基本要求包括班组管理制度健全质量目标明确。"


def _archive_with_owners_common_text_and_template():
    archive = []
    for i in range(40):
        text = chinese(200 + i, 2000)
        if i < 12:  # held by 12 archive documents and the new one: common text
            text = text[:500] + COMMON + text[500:]
        if i in (5, 20):
            text = text[:1500] + TEMPLATE + text[1500:]
        archive.append((f"a{i}", text, "own" if i % 2 else "other"))
    return archive


def test_the_index_reports_owners_templates_and_common_text_as_the_whole_corpus_does(tmp_path):
    archive = _archive_with_owners_common_text_and_template()
    new = (
        chinese(1, 300)
        + COMMON
        + archive[3][1][100:400]  # an own earlier document: self-reuse
        + chinese(2, 200)
        + archive[20][1][1400:1700]  # holds the template: only the rest counts
        + chinese(3, 200)
        + archive[8][1][800:1000]
    )
    assert build(tmp_path / "index", iter(archive)) == 40
    report = ArchiveIndex(tmp_path / "index").check("new", new, owner="own", templates=[TEMPLATE])

    corpus = Corpus()
    corpus.add_template(TEMPLATE)
    for doc_id, text, owner in archive:
        corpus.add(Document(doc_id, text, archive=True, owner=owner))
    expected = corpus.check(Document("new", new, owner="own"))

    assert _figures(report) == _figures(expected)
    assert [(s.id, s.same_owner) for s in report.sources] == [
        ("a3", True),
        ("a20", False),
        ("a8", False),
    ]
    assert report.common_chars > 0
    assert report.self_copied_chars == 300
    # The template's 31 characters, less the edges that its k-grams share with copied text.
    assert report.sources[1].copied_chars == 272


def test_a_scan_with_the_archive_attached_reports_as_with_the_archive_loaded(tmp_path):
    archive = _archive_with_owners_common_text_and_template()
    build(tmp_path / "index", iter(archive))
    edition = [
        ("e1", chinese(11, 400) + COMMON + archive[3][1][100:400] + chinese(12, 300), "own"),
        ("e2", chinese(13, 300) + archive[20][1][1400:1700] + chinese(14, 300), "x"),
        ("e3", chinese(15, 200) + archive[8][1][800:1000] + chinese(11, 400)[:250], "y"),
    ]

    def corpus_with(loaded):
        corpus = Corpus()
        corpus.add_template(TEMPLATE)
        for doc_id, text, owner in edition:
            corpus.add(Document(doc_id, text, owner=owner))
        for doc_id, text, owner in loaded:
            corpus.add(Document(doc_id, text, archive=True, owner=owner))
        return corpus

    attached = corpus_with([])
    loaded = attach(attached, ArchiveIndex(tmp_path / "index"), list(attached.documents))
    expected = corpus_with(archive).scan()

    # The sources, and holders of the common sentence whose edges the winnowing picked in few
    # documents (seeds the corpus looks at and sets aside); not the other 31.
    assert loaded == ["a3", "a4", "a5", "a6", "a7", "a8", "a10", "a11", "a20"]
    assert [_figures(r) for r in attached.scan()] == [_figures(r) for r in expected]
    # In batches of two documents, each checked against the archive documents it shares
    # seeds with: the same reports.
    batched = scan_with_archive(
        corpus_with([]), ArchiveIndex(tmp_path / "index"), templates=[TEMPLATE], batch=2
    )
    assert [_figures(r) for r in batched] == [_figures(r) for r in expected]
    assert [[s.id for s in r.sources] for r in expected] == [["a3", "e3"], ["a20"], ["e1", "a8"]]


def test_an_open_index_still_reads_after_its_folder_is_removed(tmp_path):
    build(tmp_path / "index", ((f"a{i}", chinese(i, 3000)) for i in range(3)))
    index = ArchiveIndex(tmp_path / "index")
    shutil.rmtree(tmp_path / "index")

    assert index.text(1) == chinese(1, 3000)
    assert [s.id for s in index.check("new", chinese(9, 200) + chinese(2, 3000)[:600]).sources] == [
        "a2"
    ]


def test_a_document_loads_the_archive_documents_sharing_the_most_seeds_up_to_the_limit(
    tmp_path,
):
    archive = [(f"a{i}", chinese(300 + i, 2000)) for i in range(6)]
    new = (
        chinese(4, 300)
        + archive[2][1][100:700]  # the most seeds
        + chinese(5, 300)
        + archive[4][1][100:300]
        + chinese(6, 300)
        + archive[1][1][500:540]  # a lone sentence: the fewest
    )
    build(tmp_path / "index", iter(archive))
    index = ArchiveIndex(tmp_path / "index")

    def loaded(limit):
        corpus = Corpus()
        document = corpus.prepare(Document("new", new))
        return attach(corpus, index, [document], limit), corpus.check(document)

    everything, whole = loaded(48)
    two, part = loaded(2)

    assert everything == ["a1", "a2", "a4"]
    assert two == ["a2", "a4"]
    # Only the left-out source is missing: the others' figures are the same.
    assert [(s.id, s.copied_chars) for s in whole.sources] == [("a2", 600), ("a4", 200), ("a1", 40)]
    assert [(s.id, s.passages) for s in part.sources] == [
        (s.id, s.passages) for s in whole.sources[:2]
    ]
