"""The PAN measures of plagiarism detection (Potthast, Stein, Barrón-Cedeño, Rosso 2010,
"An Evaluation Framework for Plagiarism Detection").

A case s (a planted copy) and a detection r (a reported passage) are each a pair of character
ranges: one in the suspicious document, one in the source document. When r and s concern the same
two documents and overlap in the suspicious document AND in the source document, s ⊓ r is the set
of characters in both, counted in both documents; otherwise it is empty. |x| counts the characters
of x in the suspicious plus the source document.

    prec(S, R) = 1/|R| Σ_r |∪_s (s ⊓ r)| / |r|
    rec(S, R)  = 1/|S| Σ_s |∪_r (s ⊓ r)| / |s|
    gran(S, R) = 1/|S_R| Σ_{s ∈ S_R} |R_s|   (S_R: cases detected at all; R_s: detections of s)
    plagdet    = F1(prec, rec) / log2(1 + gran)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Passage:
    """A pair of ranges (end exclusive): [start, end) in ``suspicious``, [source_start,
    source_end) in ``source``. Used for cases and detections alike."""

    suspicious: str
    start: int
    end: int
    source: str
    source_start: int
    source_end: int

    @property
    def chars(self) -> int:
        return (self.end - self.start) + (self.source_end - self.source_start)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int

    def line(self) -> str:
        return (
            f"precision {self.precision:.3f}  recall {self.recall:.3f}  "
            f"granularity {self.granularity:.3f}  plagdet {self.plagdet:.3f}  "
            f"({self.cases} cases, {self.detections} detections)"
        )


def _overlap(a0: int, a1: int, b0: int, b1: int) -> tuple[int, int] | None:
    lo, hi = max(a0, b0), min(a1, b1)
    return (lo, hi) if lo < hi else None


def _union_length(ranges: Iterable[tuple[int, int]]) -> int:
    total = 0
    end: int | None = None
    for lo, hi in sorted(ranges):
        if end is not None and hi <= end:
            continue
        total += hi - (lo if end is None else max(lo, end))
        end = hi
    return total


def _meets(s: Passage, r: Passage) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """(suspicious overlap, source overlap) of s ⊓ r, or None when s ⊓ r is empty."""
    if s.suspicious != r.suspicious or s.source != r.source:
        return None
    in_suspicious = _overlap(s.start, s.end, r.start, r.end)
    in_source = _overlap(s.source_start, s.source_end, r.source_start, r.source_end)
    if in_suspicious is None or in_source is None:
        return None
    return in_suspicious, in_source


def score(cases: Sequence[Passage], detections: Sequence[Passage]) -> Scores:
    """The PAN measures of ``detections`` against ``cases``.

    With no detections precision is 0 (1 when there are no cases either); with no cases recall
    is 1; with no case detected granularity is 1.
    """
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for j, r in enumerate(detections):
        by_pair[r.suspicious, r.source].append(j)

    case_cover: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = [
        ([], []) for _ in cases
    ]
    detection_cover: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]] = [
        ([], []) for _ in detections
    ]
    detected_by: list[int] = [0] * len(cases)
    for i, s in enumerate(cases):
        for j in by_pair.get((s.suspicious, s.source), ()):
            meet = _meets(s, detections[j])
            if meet is None:
                continue
            detected_by[i] += 1
            for cover in (case_cover[i], detection_cover[j]):
                cover[0].append(meet[0])
                cover[1].append(meet[1])

    def covered(cover: tuple[list[tuple[int, int]], list[tuple[int, int]]]) -> int:
        return _union_length(cover[0]) + _union_length(cover[1])

    if detections:
        precision = sum(
            covered(detection_cover[j]) / r.chars for j, r in enumerate(detections) if r.chars
        ) / len(detections)
    else:
        precision = 0.0 if cases else 1.0
    if cases:
        recall = sum(covered(case_cover[i]) / s.chars for i, s in enumerate(cases)) / len(cases)
    else:
        recall = 1.0
    detected = [n for n in detected_by if n]
    granularity = sum(detected) / len(detected) if detected else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(
        precision=precision,
        recall=recall,
        granularity=granularity,
        plagdet=f1 / math.log2(1 + granularity),
        cases=len(cases),
        detections=len(detections),
    )


def detecting(cases: Sequence[Passage], detections: Sequence[Passage]) -> list[Passage]:
    """The detections that meet at least one of ``cases`` (to score a subset of the cases,
    such as one kind of change, without counting other cases' detections as false)."""
    pairs = {(s.suspicious, s.source) for s in cases}
    return [
        r
        for r in detections
        if (r.suspicious, r.source) in pairs and any(_meets(s, r) for s in cases)
    ]


def detections_from_report(report: dict[str, Any]) -> list[Passage]:
    """Every passage of every source of every document of the engine's JSON, one detection each."""
    found: list[Passage] = []
    for document in report.get("documents", []):
        for source in document.get("sources", []) or []:
            for p in source.get("passages", []) or []:
                found.append(
                    Passage(
                        suspicious=document["id"],
                        start=int(p["start"]),
                        end=int(p["end"]),
                        source=source["id"],
                        source_start=int(p["source_start"]),
                        source_end=int(p["source_end"]),
                    )
                )
    return found
