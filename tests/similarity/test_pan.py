"""The PAN measures on small cases computed by hand."""

from __future__ import annotations

import math

import pytest

from banzu.similarity.harness.pan import Passage, detecting, detections_from_report, score

CASE = Passage("e1", 0, 100, "a1", 1000, 1100)


def test_perfect_detection_scores_one_everywhere():
    s = score([CASE], [CASE])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_detected_case():
    # s ⊓ r = 50 + 50 characters; |s| = 200, |r| = 100.
    s = score([CASE], [Passage("e1", 0, 50, "a1", 1000, 1050)])
    assert s.recall == 0.5
    assert s.precision == 1.0
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 / 3)


def test_case_detected_as_two_fragments_has_granularity_two():
    halves = [Passage("e1", 0, 50, "a1", 1000, 1050), Passage("e1", 50, 100, "a1", 1050, 1100)]
    s = score([CASE], halves)
    assert (s.precision, s.recall, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))  # 0.6309


def test_false_detection_halves_precision():
    false = Passage("e2", 0, 100, "a1", 1000, 1100)  # another suspicious document
    s = score([CASE], [CASE, false])
    assert s.precision == 0.5
    assert s.recall == 1.0
    assert s.plagdet == pytest.approx(2 / 3)


def test_overextended_detection():
    # 200 characters reported in the suspicious document for a 100-character case:
    # s ⊓ r = 100 + 100, |r| = 200 + 100, so precision 2/3 and F1 = 0.8.
    s = score([CASE], [Passage("e1", 0, 200, "a1", 1000, 1100)])
    assert s.precision == pytest.approx(2 / 3)
    assert s.recall == 1.0
    assert s.plagdet == pytest.approx(0.8)


def test_overlap_in_one_document_only_is_no_detection():
    wrong_source_place = Passage("e1", 0, 100, "a1", 5000, 5100)
    s = score([CASE], [wrong_source_place])
    assert (s.precision, s.recall, s.plagdet) == (0.0, 0.0, 0.0)
    assert s.granularity == 1.0


def test_overlapping_detections_are_counted_once_in_recall():
    # Two detections covering [0, 60) and [40, 100) of both ranges: the union is the whole case.
    r1 = Passage("e1", 0, 60, "a1", 1000, 1060)
    r2 = Passage("e1", 40, 100, "a1", 1040, 1100)
    s = score([CASE], [r1, r2])
    assert s.recall == 1.0
    assert s.precision == 1.0
    assert s.granularity == 2.0


def test_two_cases_one_missed():
    other = Passage("e3", 0, 300, "e4", 0, 100)  # |s| = 400
    s = score([CASE, other], [CASE, Passage("e3", 0, 150, "e4", 0, 50)])
    # rec = (1 + 200/400) / 2
    assert s.recall == pytest.approx(0.75)
    assert s.precision == 1.0
    f1 = 2 * 0.75 / 1.75
    assert s.plagdet == pytest.approx(f1)


def test_no_cases_and_no_detections():
    s = score([], [])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)
    assert score([CASE], []).plagdet == 0.0


def test_detecting_keeps_only_detections_of_the_given_cases():
    false = Passage("e2", 0, 100, "a1", 1000, 1100)
    assert detecting([CASE], [false, CASE]) == [CASE]


def test_detections_from_the_engine_json():
    report = {
        "documents": [
            {
                "id": "e1",
                "sources": [
                    {
                        "id": "a1",
                        "archive": True,
                        "passages": [
                            {"start": 0, "end": 50, "source_start": 1000, "source_end": 1050},
                            {"start": 50, "end": 100, "source_start": 1050, "source_end": 1100},
                        ],
                    }
                ],
            },
            {"id": "e2", "error": "empty document", "sources": []},
        ],
        "stats": {},
    }
    found = detections_from_report(report)
    assert found == [
        Passage("e1", 0, 50, "a1", 1000, 1050),
        Passage("e1", 50, 100, "a1", 1050, 1100),
    ]
