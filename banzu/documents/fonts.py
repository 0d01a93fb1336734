"""The CJK fonts the PDFs embed: Noto Serif SC and Noto Sans SC (SIL Open Font License), from the
PyPI package pylopdf-fonts-zh-cn, so a fresh machine renders Chinese without root.

The full fonts are 8 to 11 MB and every PDF subsets the fonts it uses. We prepare, once per machine,
a reduced copy of each holding the GB 2312 character set (6,763 hanzi, the characters of nearly
all text) with Latin, punctuation and full-width forms; PDFs use it first and fall back to the full
font only for a character outside it, such as 喆 or 堃 in a name. Preparation takes about 25 s
with fontTools, under a lock, into a cache folder; the file name carries the source's size and
this module's charset version, so a new font package or charset is prepared afresh.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path

CHARSET_VERSION = 1

# Beyond GB 2312: Latin with accents, general punctuation (—, …, ‰), letterlike symbols (℃, №),
# Roman numerals, arrows, maths, box drawing and geometric shapes (□ ☑), CJK symbols and
# punctuation, enclosed numbers (①), full-width forms.
_EXTRA_RANGES = (
    (0x0020, 0x024F),
    (0x2000, 0x206F),
    (0x2100, 0x218F),
    (0x2190, 0x21FF),
    (0x2200, 0x22FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x2600, 0x26FF),
    (0x3000, 0x303F),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)


@dataclass(frozen=True)
class FontSet:
    serif: Path
    sans: Path
    serif_full: Path
    sans_full: Path


def source_fonts() -> tuple[Path, Path]:
    import pylopdf_fonts_zh_cn

    folder = Path(pylopdf_fonts_zh_cn.__file__).parent
    return folder / "NotoSerifSC-Regular.otf", folder / "NotoSansSC-Regular.otf"


def reduced_charset() -> set[int]:
    codepoints: set[int] = set()
    for codepoint in range(0x20, 0x10000):
        if 0xD800 <= codepoint <= 0xDFFF:
            continue
        try:
            chr(codepoint).encode("gb2312")
        except UnicodeEncodeError:
            continue
        codepoints.add(codepoint)
    for first, last in _EXTRA_RANGES:
        codepoints.update(range(first, last + 1))
    return codepoints


def _reduced_name(source: Path) -> str:
    return f"{source.stem}-gb2312-v{CHARSET_VERSION}-{source.stat().st_size}{source.suffix}"


def _subset(source: Path, target: Path, codepoints: set[int]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    partial = target.with_suffix(target.suffix + f".{os.getpid()}.part")
    with partial.open("wb") as handle:
        font.save(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)


def prepare(cache_dir: Path) -> FontSet:
    """The font set, preparing the reduced fonts into `cache_dir` the first time. Safe to call
    from several processes at once: one prepares, the others wait for it."""
    serif_full, sans_full = source_fonts()
    cache_dir = cache_dir.resolve()  # the PDFs name the fonts by file URI, which must be absolute
    cache_dir.mkdir(parents=True, exist_ok=True)
    serif = cache_dir / _reduced_name(serif_full)
    sans = cache_dir / _reduced_name(sans_full)
    if not (serif.exists() and sans.exists()):
        with (cache_dir / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            codepoints: set[int] | None = None
            for source, target in ((serif_full, serif), (sans_full, sans)):
                if not target.exists():
                    codepoints = codepoints or reduced_charset()
                    _subset(source, target, codepoints)
    return FontSet(serif=serif, sans=sans, serif_full=serif_full, sans_full=sans_full)
