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


def _passages(a: str, b: str) -> list[tuple[int, int, int, int]]:
    corpus = _corpus(Document("b", b, archive=True))
    report = corpus.check(Document("a", a))
    return [
        (p.start, p.end, p.source_start, p.source_end)
        for source in report.sources
        for p in source.passages
    ]


def test_blocks_are_the_maximal_common_runs():
    a = normalize("甲乙丙丁戊己庚辛子丑寅卯").codes
    b = normalize("天地玄黄甲乙丙丁戊己庚辛宇宙").codes

    starts_a, starts_b, lengths = align.blocks(align.grams(a), align.grams(b))

    assert (starts_a.tolist(), starts_b.tolist(), lengths.tolist()) == ([0], [4], [8])


def test_changed_names_and_figures_inside_a_copied_passage_keep_it_one_passage():
    source = chinese(1, 400)
    target = source[:100] + "杭州建工" + source[104:300] + "２０２５年" + source[300:]

    assert _passages(target, source) == [(0, len(target), 0, 400)]


def test_the_issue_example_own_sentence_between_two_copied_sentences_is_not_copied():
    # Two sentences of a 2024 archive document, copied with one 53-character sentence of the
    # copier's own between them: 123 characters copied (about 34%), not 176 (48.8%).
    first = "我们班组坚持每周开展一次质量分析会，对上周发现的问题逐条分析原因并制定整改措施。"
    second = (
        "通过推行首件验收和三检制度，本年度分项工程一次验收合格率达到百分之百，未发生质量事故。"
    )
    second = second[:-1] + chinese(5, 123 - len(first) - len(second)) + "。"
    own = (
        "今年我们还把这套做法推广到了公司另外三个项目部的钢筋班组和木工班组，"
        "效果同样明显，得到了项目部领导和监理单位的一致肯定。"
    )
    own = own[: 53 - 1] + "。"
    source = chinese(6, 137) + "。" + first + second + chinese(7, 100)
    target = chinese(8, 99) + "。" + first + own + second + chinese(9, 85)
    assert (len(first) + len(second), len(own), len(target)) == (123, 53, 361)

    report = _corpus(Document("archive-2024", source, archive=True)).check(
        Document("application", target)
    )

    at = 100 + len(first) + len(own)
    assert [(p.start, p.end, p.source_start, p.source_end) for p in report.sources[0].passages] == [
        (100, 100 + len(first), 138, 138 + len(first)),
        (at, at + len(second), 138 + len(first), 138 + 123),
    ]
    assert (report.copied_chars, report.copy_ratio) == (123, 0.3407)


def test_a_lone_copied_sentence_of_twenty_characters_is_found():
    sentence = "该班组全年开展质量攻关活动十二次成效显著"
    assert len(sentence) == 20
    source = chinese(20, 500) + sentence + "。" + chinese(21, 500)
    target = chinese(22, 300) + "。" + sentence + "。" + chinese(23, 300)

    assert _passages(target, source) == [(301, 322, 500, 521)]  # with its full stop


def test_sentences_copied_in_another_order_are_one_passage():
    sentences = [chinese(30 + i, 40) + "。" for i in range(6)]
    source = chinese(40, 300) + "".join(sentences) + chinese(41, 300)
    shuffled = "".join(sentences[i] for i in (3, 0, 5, 1, 4, 2))
    target = chinese(42, 200) + shuffled + chinese(43, 200)

    assert _passages(target, source) == [(200, 200 + len(shuffled), 300, 300 + len(shuffled))]
    assert shuffled.endswith("。")


def test_two_passages_far_apart_in_the_source_stay_apart():
    source = chinese(50, 3000)
    target = source[100:200] + source[2500:2600]

    assert _passages(target, source) == [(0, 100, 100, 200), (100, 200, 2500, 2600)]


def test_text_reworded_every_few_characters_is_found_when_long_enough():
    source = chinese(60, 600)
    # A change every 9 characters: one character replaced, now and then one put in.
    pieces = []
    for i in range(0, 300, 9):
        pieces.append(source[100 + i : 100 + i + 8] + ("乙" if i % 27 else "甲乙"))
    target = chinese(61, 100) + "".join(pieces) + chinese(62, 100)

    [(start, end, source_start, source_end)] = _passages(target, source)

    assert (start, source_start) == (100, 100)
    assert abs((end - start) - len("".join(pieces))) <= 2
    assert abs(source_end - 400) <= 9


def test_a_short_common_run_in_unrelated_text_is_no_passage():
    phrase = "全心全意为人民服务"
    assert _passages(chinese(70, 300) + phrase + chinese(71, 300), chinese(72, 300) + phrase) == []


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


def test_common_text_inside_a_copied_passage_is_copied_with_it():
    phrase = chinese(500, 60)
    # The phrase is in 12 documents (common text), and in the middle of the passage copied.
    source = chinese(501, 300) + chinese(502, 200) + phrase + chinese(503, 200) + chinese(504, 300)
    passage = source[300:760]
    others = [Document(f"d{i}", chinese(510 + i, 400) + phrase) for i in range(11)]
    target = chinese(505, 100) + passage + chinese(506, 100)

    report = _corpus(Document("source", source, archive=True), *others).check(
        Document("target", target)
    )

    assert [(p.start, p.end, p.source_start, p.source_end) for p in report.sources[0].passages] == [
        (100, 560, 300, 760)
    ]
    assert report.common_chars == 56  # the common 11-grams that winnowing selected cover 56
