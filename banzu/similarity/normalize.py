"""Normalisation of Chinese text for matching, with a map back to the original.

Each character of the original text is mapped, independently, to at most one matching
character: NFKC (full-width digits and letters become ASCII), traditional to simplified
(OpenCC's t2s, character by character), lower case, every digit to one placeholder (a copier
who changes figures changes nothing the matcher sees), and punctuation, symbols, white space and
control characters dropped. Because the map is per character, `offsets[i]` is the index in the
original text of normalised character i, and a normalised span [s, e) is the original span
[offsets[s], offsets[e - 1] + 1).

The mapping is a lookup table over the Basic Multilingual Plane built once per process (about
0.2 s); astral characters (rare CJK extensions) map through the same rules one by one.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DIGIT = ord("0")
DROP = 0
_DROPPED_CATEGORIES = ("P", "S", "Z", "C")


@dataclass(frozen=True)
class Normalized:
    """`codes`: the normalised characters as code points; `offsets`: their original indices."""

    codes: npt.NDArray[np.uint32]
    offsets: npt.NDArray[np.int32]

    def __len__(self) -> int:
        return len(self.codes)

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original [start, end) of normalised [start, end) (end > start)."""
        return int(self.offsets[start]), int(self.offsets[end - 1]) + 1

    def text(self) -> str:
        return self.codes.astype("<u4").tobytes().decode("utf-32-le")


def _t2s() -> dict[str, str]:
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency
        return {}
    ranges = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)]
    chars = [chr(cp) for first, last in ranges for cp in range(first, last + 1)]
    converted = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):  # pragma: no cover - defensive
        return {}
    return {
        source: target
        for source, target in zip(chars, converted, strict=True)
        if len(target) == 1 and target != source
    }


def map_char(char: str, t2s: dict[str, str]) -> int:
    """The matching code point of one original character, or DROP."""
    kept = []
    for part in unicodedata.normalize("NFKC", char):
        part = t2s.get(part, part).lower()[:1]
        if not part:
            continue
        if part.isdigit():
            kept.append(DIGIT)
        elif unicodedata.category(part)[0] not in _DROPPED_CATEGORIES:
            kept.append(ord(part))
    # A compatibility character that expands (㈱ → (株), ½ → 1⁄2) keeps its first kept part.
    return kept[0] if kept else DROP


@functools.cache
def _tables() -> tuple[npt.NDArray[np.uint32], dict[str, str]]:
    t2s = _t2s()
    table = np.zeros(0x10000, dtype=np.uint32)
    for codepoint in range(0x10000):
        if 0xD800 <= codepoint <= 0xDFFF:
            continue
        table[codepoint] = map_char(chr(codepoint), t2s)
    return table, t2s


def codepoints(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.uint32)


def normalize(text: str) -> Normalized:
    table, t2s = _tables()
    original = codepoints(text)
    astral = original >= 0x10000
    mapped = table[np.where(astral, 0, original)]
    if astral.any():
        for index in np.nonzero(astral)[0]:
            mapped[index] = map_char(chr(int(original[index])), t2s)
    keep = mapped != DROP
    return Normalized(codes=mapped[keep], offsets=np.nonzero(keep)[0].astype(np.int32))
