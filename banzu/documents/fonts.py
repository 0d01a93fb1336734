"""The CJK fonts the PDFs embed: Noto Serif SC and Noto Sans SC (SIL Open Font License), from the
PyPI package pylopdf-fonts-zh-cn, so a fresh machine renders Chinese without root.

The full fonts are 8 to 11 MB and every PDF subsets the fonts it uses. We prepare, once per machine,
a reduced copy of each holding the GB 2312 character set (6,763 hanzi, the characters of nearly
all text) with Latin, punctuation and full-width forms; PDFs use it first and fall back to the full
font only for a character outside it, such as 喆 or 堃 in a name. Preparation takes about 25 s
with fontTools, under a lock, into a cache folder; the file name carries the source's size and
this module's charset version, so a new font package or charset is prepared afresh.

Names. GB 18030-2022's implementation level 2, the level for personal names, adds to level 1
(every BMP ideograph) the 196 characters of the 通用规范汉字表 beyond the BMP, such as 𫖯 and 𬌗;
the full Noto Serif SC and Noto Sans SC hold all of them. Some names also use ideographs of
level 3 (CJK Extension B and later) that the Simplified Chinese fonts lack, such as 𠮷. For those
`prepare_rare` fetches Noto Serif HK and Noto Serif JP (OFL; Ming faces like the body text) from
the npm registry with `npm pack`, checks their digest and keeps only the ideographs beyond the
BMP that the fonts before them lack: about 1,700 and 400, 1.1 MB together. `manage.py
prepare_fonts` runs it (the only step that needs the network); `prepare` uses what it finds.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CHARSET_VERSION = 1
RARE_VERSION = 1
SUPPLEMENTARY_START = 0x20000  # CJK Extension B; Extensions C to I and the compatibility
# supplement follow it in planes 2 and 3

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
class RareSource:
    """A serif face from the npm registry for ideographs beyond the BMP (see the module doc)."""

    family: str
    package: str
    version: str
    member: str  # the font's path inside the package's tarball
    sha256: str

    @property
    def target_name(self) -> str:
        return f"{Path(self.member).stem}-rare-v{RARE_VERSION}-{self.sha256[:12]}.ttf"


# In fallback order: Hong Kong's forms (HKSCS, the closer to the mainland's) before Japan's.
RARE_SOURCES = (
    RareSource(
        family="BZ Serif Rare HK",
        package="@expo-google-fonts/noto-serif-hk",
        version="0.4.3",
        member="package/400Regular/NotoSerifHK_400Regular.ttf",
        sha256="636dac589831ccdd5e75efa30c7c7ae8327e5cd36c3fec16d5b493f939627c72",
    ),
    RareSource(
        family="BZ Serif Rare JP",
        package="@expo-google-fonts/noto-serif-jp",
        version="0.4.3",
        member="package/400Regular/NotoSerifJP_400Regular.ttf",
        sha256="5a04846a0e23acefae825f2f459205036a166f5a63462019ce3492d07bd20e92",
    ),
)


class RareFontsUnavailable(RuntimeError):
    """The rare-character faces could not be fetched (no npm, no network, a changed file)."""


@dataclass(frozen=True)
class FontSet:
    serif: Path
    sans: Path
    serif_full: Path
    sans_full: Path
    # (family, reduced font) for each rare source prepared, in fallback order
    rare: tuple[tuple[str, Path], ...] = ()


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


def _cmap(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return set(font.getBestCmap())


def _subset(source: Path, target: Path, codepoints: set[int]) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    partial = target.with_suffix(target.suffix + f".{os.getpid()}.part")
    with TTFont(source) as font, partial.open("wb") as handle:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        font.save(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)


@contextmanager
def _locked(cache_dir: Path) -> Iterator[None]:
    with (cache_dir / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _cache(cache_dir: Path) -> Path:
    cache_dir = cache_dir.resolve()  # the PDFs name the fonts by file URI, which must be absolute
    cache_dir.mkdir(parents=True, exist_ok=True)
    return cache_dir


def prepare(cache_dir: Path) -> FontSet:
    """The font set, preparing the reduced fonts into `cache_dir` the first time, with the rare
    faces `prepare_rare` left there. Safe to call from several processes at once: one prepares,
    the others wait for it."""
    serif_full, sans_full = source_fonts()
    cache_dir = _cache(cache_dir)
    serif = cache_dir / _reduced_name(serif_full)
    sans = cache_dir / _reduced_name(sans_full)
    if not (serif.exists() and sans.exists()):
        with _locked(cache_dir):
            codepoints: set[int] | None = None
            for source, target in ((serif_full, serif), (sans_full, sans)):
                if not target.exists():
                    codepoints = codepoints or reduced_charset()
                    _subset(source, target, codepoints)
    rare = tuple(
        (source.family, cache_dir / source.target_name)
        for source in RARE_SOURCES
        if (cache_dir / source.target_name).exists()
    )
    return FontSet(serif=serif, sans=sans, serif_full=serif_full, sans_full=sans_full, rare=rare)


def _npm_pack(source: RareSource, folder: Path) -> Path:
    """The font file of `source`, fetched with npm (which checks the registry's integrity
    digest) into `folder` and checked against our own."""
    npm = shutil.which("npm")
    if npm is None:
        raise RareFontsUnavailable("npm is not installed")
    spec = f"{source.package}@{source.version}"
    # npm's own cache in the temporary folder, so that no 80 MB of tarballs stay in ~/.npm
    command = [npm, "pack", spec, "--silent", "--pack-destination", str(folder)]
    result = subprocess.run(  # noqa: S603 - a fixed command line, no shell
        [*command, "--cache", str(folder / "npm-cache")],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    tarballs = list(folder.glob("*.tgz"))
    if result.returncode != 0 or len(tarballs) != 1:
        raise RareFontsUnavailable(f"npm pack {spec} failed: {result.stderr.strip()[-300:]}")
    with tarfile.open(tarballs[0]) as archive:
        member = archive.extractfile(source.member)
        if member is None:
            raise RareFontsUnavailable(f"{spec} has no {source.member}")
        font = folder / Path(source.member).name
        font.write_bytes(member.read())
    tarballs[0].unlink()
    if hashlib.sha256(font.read_bytes()).hexdigest() != source.sha256:
        raise RareFontsUnavailable(f"{spec}: {source.member} is not the file we checked")
    return font


def prepare_rare(cache_dir: Path) -> tuple[Path, ...]:
    """Fetch and reduce the rare-character faces missing from `cache_dir` (network; once per
    machine, about 10 s and 80 MB of downloads). Each keeps the ideographs beyond the BMP that
    neither Noto Serif SC nor an earlier rare face holds. Raises `RareFontsUnavailable`."""
    cache_dir = _cache(cache_dir)
    targets = tuple(cache_dir / source.target_name for source in RARE_SOURCES)
    if all(target.exists() for target in targets):
        return targets
    with _locked(cache_dir):
        covered = _cmap(source_fonts()[0])
        for source, target in zip(RARE_SOURCES, targets, strict=True):
            if not target.exists():
                with tempfile.TemporaryDirectory(prefix="banzu-fonts-") as folder:
                    font = _npm_pack(source, Path(folder))
                    wanted = {cp for cp in _cmap(font) if cp >= SUPPLEMENTARY_START} - covered
                    _subset(font, target, wanted)
            covered |= _cmap(target)
    return targets
