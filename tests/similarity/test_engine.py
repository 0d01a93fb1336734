"""The similarity engine's pure core: normalisation, fingerprints, alignment and the figures,
on small cases whose answers are worked out by hand."""

from __future__ import annotations

import random

import numpy as np
import pytest

from banzu.similarity import align
from banzu.similarity.engine import Corpus, Document, union_length
from banzu.similarity.fingerprint import WINDOW, K, fingerprint, guarantee, kgram_hashes
from banzu.similarity.normalize import normalize


def chinese(seed: int, length: int) -> str:
    """Random CJK text: no two such texts share a k-gram by chance."""
    rng = random.Random(seed)
    return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length))


# --- normalisation --------------------------------------------------------------------------


def test_normalisation_maps_width_script_case_digits_and_drops_punctuation():
    text = "臺灣，ＡＢＣ１２３ 班組。Hello  World! ⑴"

    normalized = normalize(text)

    assert normalized.text() == "台湾abc000班组helloworld0"
    # Every kept character points back at the original character it came from.
    assert [text[i] for i in normalized.offsets.tolist()] == list("臺灣ＡＢＣ１２３班組HelloWorld⑴")


def test_a_normalised_span_maps_back_to_the_original_text_with_its_punctuation():
    text = "前言。班组，成员！组成"
    normalized = normalize(text)

    start, end = normalized.original_span(2, 6)  # 班组成员

    assert text[start:end] == "班组，成员"


def test_characters_outside_the_basic_plane_are_kept():
    assert normalize("𠀀𠀁，甲").text() == "𠀀𠀁甲"


def test_an_empty_or_all_punctuation_text_normalises_to_nothing():
    assert (len(normalize("")), len(normalize("，。！？ \n\t"))) == (0, 0)


# --- fingerprints ---------------------------------------------------------------------------


def test_kgram_hashes_are_stable_and_equal_for_equal_kgrams():
    codes = normalize("甲乙丙丁戊己庚辛壬癸子丑寅甲乙丙丁戊己庚辛壬癸子丑寅").codes

    hashes = kgram_hashes(codes, 13)

    assert len(hashes) == len(codes) - 12
    assert hashes[0] == hashes[13]
    assert int(kgram_hashes(normalize("甲乙丙丁戊己庚辛壬癸子丑寅").codes, 13)[0]) == int(hashes[0])


@pytest.mark.parametrize("seed", range(20))
def test_winnowing_guarantee_every_shared_run_of_the_threshold_length_is_found(seed):
    rng = random.Random(seed)
    shared = chinese(1000 + seed, guarantee())
    first = chinese(seed, rng.randint(0, 300)) + shared + chinese(seed + 50, rng.randint(0, 300))
    second = chinese(seed + 100, rng.randint(0, 300)) + shared + chinese(seed + 150, 40)

    a, b = fingerprint(normalize(first).codes), fingerprint(normalize(second).codes)

    assert guarantee() == WINDOW + K - 1
    assert len(np.intersect1d(a.hashes, b.hashes)) >= 1


def test_winnowing_keeps_about_two_in_window_plus_one():
    prints = fingerprint(normalize(chinese(7, 30_000)).codes)

    density = len(prints) / (30_000 - K + 1)
    assert 1.8 / (WINDOW + 1) < density < 2.2 / (WINDOW + 1)


# --- alignment ------------------------------------------------------------------------------


def test_seeds_on_one_diagonal_with_small_gaps_chain_into_one_passage():
    seeds_a = np.array([100, 105, 140, 160, 200])
    seeds_b = np.array([10, 15, 52, 70, 110])  # the diagonal drifts by 2 after a longer name

    spans = align.chain(seeds_a, seeds_b, 13)

    assert [(s.a_start, s.a_end, s.b_start, s.b_end, s.seeds) for s in spans] == [
        (100, 213, 10, 123, 5)
    ]


def test_a_gap_longer_than_the_limit_starts_a_new_chain():
    spans = align.chain(np.array([0, 10, 200, 210]), np.array([0, 10, 200, 210]), 13, gap=80)

    assert [(s.a_start, s.a_end) for s in spans] == [(0, 23), (200, 223)]


def test_reordered_sentences_merge_into_one_passage():
    # Two halves of a paragraph copied in the other order: two chains, near each other in B.
    first = align.Span(0, 60, 60, 120, 8)
    second = align.Span(62, 120, 0, 58, 8)

    merged = align.merge([first, second])

    assert [(s.a_start, s.a_end, s.b_start, s.b_end, s.seeds) for s in merged] == [
        (0, 120, 0, 120, 16)
    ]


def test_passages_far_apart_in_the_source_stay_apart():
    merged = align.merge([align.Span(0, 60, 0, 60, 8), align.Span(70, 130, 5000, 5060, 8)])

    assert len(merged) == 2


def test_extension_grows_both_ends_while_the_texts_agree():
    a = normalize("甲乙丙丁戊己庚").codes
    b = normalize("子乙丙丁戊己丑").codes

    span = align.extend(align.Span(2, 4, 2, 4), a, b)

    assert (span.a_start, span.a_end, span.b_start, span.b_end) == (1, 6, 1, 6)


def test_union_counts_each_character_once():
    assert union_length([(0, 10), (5, 15), (20, 25), (25, 26)]) == 21


# --- the figures ----------------------------------------------------------------------------


def _corpus(*documents: Document, templates: tuple[str, ...] = ()) -> Corpus:
    corpus = Corpus()
    for template in templates:
        corpus.add_template(template)
    for document in documents:
        corpus.add(document)
    return corpus


def test_a_copied_passage_with_changed_names_digits_and_punctuation_is_one_passage():
    source = chinese(1, 3000)
    passage = source[1000:1600]
    # The copier's changes: a name, two figures, full-width punctuation.
    changed = passage[:100] + "杭州建工" + passage[104:300] + "２０２５年" + passage[300:450]
    changed += "，" + passage[450:]
    target = chinese(2, 500) + changed + chinese(3, 900)

    reports = {r.id: r for r in _corpus(Document("a", source), Document("b", target)).scan()}

    copy = reports["b"]
    assert len(copy.sources) == 1
    [found] = copy.sources[0].passages
    assert (found.start, found.end) == (500, 500 + len(changed))
    assert (found.source_start, found.source_end) == (1000, 1600)
    assert copy.copied_chars == len(changed)
    assert copy.copy_ratio == round(len(changed) / len(target), 4)
    assert reports["a"].copied_chars == 600


def test_copied_characters_count_once_across_sources_and_the_largest_source_ratio():
    shared = chinese(10, 800)
    first = chinese(11, 1000) + shared[:500] + chinese(12, 1000)
    second = chinese(13, 1000) + shared[300:] + chinese(14, 1000)
    # The target copies all 800: 500 of them are in the first source, 500 in the second.
    target = chinese(15, 200) + shared + chinese(16, 1000)

    report = next(
        r
        for r in _corpus(
            Document("first", first, archive=True),
            Document("second", second, archive=True),
            Document("target", target),
        ).scan()
        if r.id == "target"
    )

    assert [(s.id, s.copied_chars) for s in report.sources] == [("first", 500), ("second", 500)]
    assert report.copied_chars == 800
    assert (report.copy_ratio, report.max_source_ratio) == (0.4, 0.25)


def test_archive_documents_are_sources_only():
    text = chinese(20, 2000)

    reports = _corpus(Document("old", text, archive=True), Document("new", text)).scan()

    assert [r.id for r in reports] == ["new"]
    assert reports[0].copied_chars == 2000
    assert reports[0].sources[0].archive is True


def test_copies_of_the_same_owner_are_reported_apart():
    own, other = chinese(30, 1000), chinese(31, 1000)
    target = own[:400] + chinese(32, 200) + other[:400]

    report = next(
        r
        for r in _corpus(
            Document("own-2024", own, archive=True, owner="甲公司"),
            Document("other-2024", other, archive=True, owner="乙公司"),
            Document("target", target, owner="甲公司"),
        ).scan()
        if r.id == "target"
    )

    assert (report.copied_chars, report.self_copied_chars) == (800, 400)
    assert (report.copy_ratio, report.copy_ratio_excluding_self) == (0.8, 0.4)
    assert {(s.id, s.same_owner) for s in report.sources} == {
        ("own-2024", True),
        ("other-2024", False),
    }


def test_template_text_alone_gives_no_copied_characters():
    template = chinese(40, 1500)
    first = chinese(41, 1000) + template + chinese(42, 1000)
    second = chinese(43, 1000) + template + chinese(44, 1000)

    reports = _corpus(Document("a", first), Document("b", second), templates=(template,)).scan()

    assert [(r.copied_chars, r.sources) for r in reports] == [(0, []), (0, [])]


def test_text_in_more_than_common_df_documents_is_common_not_copied():
    phrase = chinese(50, 300)
    documents = [
        Document(f"d{i}", chinese(60 + i, 800) + phrase + chinese(80 + i, 800)) for i in range(12)
    ]

    reports = _corpus(*documents).scan()

    assert {r.copied_chars for r in reports} == {0}
    assert all(280 <= r.common_chars <= 300 for r in reports)


def test_unreadable_and_degenerate_documents_get_an_error_and_the_scan_goes_on():
    text = chinese(70, 2000)

    reports = {
        r.id: r
        for r in _corpus(
            Document("broken.pdf", "", error="could not read the PDF: EOF marker not found"),
            Document("one-char.txt", "啊" * 50_000),
            Document("short.txt", "，，甲乙。"),
            Document("a", text),
            Document("b", text),
        ).scan()
    }

    assert reports["broken.pdf"].error == "could not read the PDF: EOF marker not found"
    assert reports["one-char.txt"].error == "the text is one repeated character or phrase"
    assert (
        reports["short.txt"].error == "no text to compare (too short once punctuation is removed)"
    )
    assert reports["a"].copied_chars == reports["b"].copied_chars == 2000


def test_checking_one_new_document_against_the_index_finds_the_same_passage():
    source = chinese(90, 3000)
    corpus = _corpus(Document("old", source, archive=True), Document("other", chinese(91, 3000)))

    report = corpus.check(Document("new", chinese(92, 300) + source[500:1500]))

    [found] = report.sources[0].passages
    assert (report.sources[0].id, found.start, found.end, found.source_start, found.source_end) == (
        "old",
        300,
        1300,
        500,
        1500,
    )
    assert len(corpus.documents) == 2  # checking does not add


def test_documents_added_after_indexing_are_found_through_the_delta():
    corpus = _corpus(*(Document(f"d{i}", chinese(200 + i, 1500)) for i in range(70)))
    corpus.check(Document("warm-up", chinese(300, 500)))  # builds the main index
    late = chinese(301, 2000)
    corpus.add(Document("late", late, archive=True))

    report = corpus.check(Document("new", chinese(302, 100) + late[200:900]))

    assert [(s.id, s.copied_chars) for s in report.sources] == [("late", 700)]
    assert (corpus._main_upto, corpus._delta_upto) == (70, 71)  # folded in only when large


def test_templates_come_before_the_documents():
    corpus = _corpus(Document("a", chinese(400, 100)))

    with pytest.raises(ValueError, match="templates before the documents"):
        corpus.add_template(chinese(401, 100))
