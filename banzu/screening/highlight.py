"""Cutting a text into plain, copied and common segments for the side-by-side report.

Pure Python: one sort of the boundaries and one sweep per text, so two 60-page documents cost
milliseconds; the template then loops over a few hundred segments, never over characters.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

PLAIN = "plain"
COPIED = "copied"
COMMON = "common"


@dataclass(frozen=True, slots=True)
class Segment:
    start: int
    end: int
    kind: str
    # The passage number of a copied segment (0 otherwise); when passages overlap or touch they
    # merge into one segment under the first number, and `numbers` keeps all of them.
    number: int = 0
    numbers: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Piece:
    """A segment with its text and its jump targets, ready for the template."""

    text: str
    kind: str
    number: int = 0
    also: tuple[int, ...] = ()
    previous: int = 0
    next: int = 0


def _clip(start: int, end: int, length: int) -> tuple[int, int]:
    return max(0, min(start, length)), max(0, min(end, length))


def _merge(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(_clip(s, e, length) for s, e in spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def segments(
    text: str,
    passages: Sequence[Sequence[int]],
    common: Iterable[Sequence[int]] = (),
) -> list[Segment]:
    """The whole of `text` as consecutive segments.

    `passages` are (start, end) in numbering order (passage 1 first); `common` are (start, end)
    of common text. Offsets are clipped to the text; passages that overlap or touch merge under
    the lowest number; where a passage and common text overlap, the passage wins.
    """
    length = len(text)
    numbered = sorted(
        (start, end, number)
        for number, (start, end) in (
            (n, _clip(p[0], p[1], length)) for n, p in enumerate(passages, 1)
        )
        if start < end
    )
    copied: list[tuple[int, int, list[int]]] = []
    for start, end, number in numbered:
        if copied and start <= copied[-1][1]:
            last = copied[-1]
            copied[-1] = (last[0], max(last[1], end), [*last[2], number])
        else:
            copied.append((start, end, [number]))

    result: list[Segment] = []

    def fill(start: int, end: int, commons: list[tuple[int, int]], index: int) -> int:
        """Plain and common segments over [start, end); returns the first common span that
        may still reach past `end`."""
        position = start
        while index < len(commons) and commons[index][0] < end:
            common_start, common_end = commons[index]
            if common_end <= position:
                index += 1
                continue
            common_start = max(common_start, position)
            if common_start > position:
                result.append(Segment(position, common_start, PLAIN))
            stop = min(common_end, end)
            result.append(Segment(common_start, stop, COMMON))
            position = stop
            if common_end > end:
                break
            index += 1
        if position < end:
            result.append(Segment(position, end, PLAIN))
        return index

    commons = _merge(((c[0], c[1]) for c in common), length)
    position = 0
    index = 0
    for start, end, numbers in copied:
        index = fill(position, start, commons, index)
        ordered = tuple(sorted(numbers))
        result.append(Segment(start, end, COPIED, ordered[0], ordered))
        position = end
    fill(position, length, commons, index)
    return result


def pieces(text: str, found: list[Segment], count: int) -> list[Piece]:
    """The segments with their text and, for copied ones, the neighbouring passage numbers
    (every number 1..count is expected to have an anchor in the column)."""
    result = []
    for segment in found:
        if segment.kind != COPIED:
            result.append(Piece(text[segment.start : segment.end], segment.kind))
            continue
        number = segment.number
        previous = number - 1
        while previous in segment.numbers:
            previous -= 1
        following = number + 1
        while following in segment.numbers:
            following += 1
        result.append(
            Piece(
                text[segment.start : segment.end],
                COPIED,
                number,
                segment.numbers[1:],
                previous if previous >= 1 else 0,
                following if following <= count else 0,
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class SideBySide:
    left: list[Piece]
    right: list[Piece]
    passages: list[tuple[int, int, int, int]]


def side_by_side(
    left_text: str,
    right_text: str,
    passages: Iterable[Sequence[int]],
    left_common: Iterable[Sequence[int]] = (),
    right_common: Iterable[Sequence[int]] = (),
) -> SideBySide:
    """Both columns of the view. Passages are (start, end, source_start, source_end), numbered
    in the order they appear in the left text; a passage empty on either side once clipped is
    left out, so every number has an anchor in both columns."""
    kept = []
    for passage in passages:
        start, end = _clip(passage[0], passage[1], len(left_text))
        source_start, source_end = _clip(passage[2], passage[3], len(right_text))
        if start < end and source_start < source_end:
            kept.append((start, end, source_start, source_end))
    kept.sort()
    left = segments(left_text, [(p[0], p[1]) for p in kept], left_common)
    right = segments(right_text, [(p[2], p[3]) for p in kept], right_common)
    return SideBySide(
        pieces(left_text, left, len(kept)), pieces(right_text, right, len(kept)), kept
    )
