"""Text extraction for the similarity engine: .docx, .pdf, .pptx and .txt, with where each piece
of text came from.

`extract` never raises for a bad or hostile file: the reason goes into `Extracted.error` and the
scan goes on. A .txt file is its UTF-8 text unchanged (the engine's offsets index exactly that
string). Word and PowerPoint files are read as XML straight from the zip, streamed with lxml
(python-docx would build the whole document and costs ten times as much): the zip directory's
declared sizes are checked before anything is inflated and the bytes actually inflated are
counted, so a zip bomb is refused after reading at most `max_uncompressed_mb`; every XML element
is dropped once passed, so memory stays small whatever the part holds. A PDF is read by pypdf in
a child process (banzu.similarity.pdfchild) under memory and CPU limits and a wall-clock
timeout, so a hostile PDF costs a killed child, never a stuck or dead caller.
"""

from __future__ import annotations

import json
import math
import os
import posixpath
import signal
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from lxml import etree

SUPPORTED_SUFFIXES = (".docx", ".pdf", ".pptx", ".txt")


@dataclass(frozen=True, slots=True)
class Segment:
    start: int  # character offsets into Extracted.text, end exclusive
    end: int
    where: str  # "paragraph 12", "table 2, row 3, cell 1", "page 4", "slide 5", "line 1"


@dataclass(frozen=True, slots=True)
class Extracted:
    text: str
    segments: tuple[Segment, ...]
    error: str | None = None  # a clear one-line reason when the file could not be read


class _Refused(Exception):
    """The file cannot be read; the message is the one-line reason for the report."""


def extract(
    path: Path,
    *,
    timeout_s: float = 20.0,
    memory_mb: int = 512,
    max_uncompressed_mb: int = 100,
) -> Extracted:
    """Never raises for a bad or hostile file (only for programming errors).

    `timeout_s` and `memory_mb` bound the PDF reader; `max_uncompressed_mb` bounds the bytes
    inflated from a .docx or .pptx and the size of a .txt file.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return _failed(f"unsupported file type {suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size == 0:
            raise _Refused("the file is empty")
        max_bytes = max_uncompressed_mb * 1024 * 1024
        if suffix == ".txt":
            return _extract_txt(path, max_bytes)
        if suffix == ".pdf":
            pieces = _pdf_pieces(path, timeout_s=timeout_s, memory_mb=memory_mb)
        elif suffix == ".docx":
            budget = _Budget(max_bytes, timeout_s=timeout_s, kind="Word")
            pieces = _ooxml_pieces(path, _docx_pieces, budget)
        else:
            budget = _Budget(max_bytes, timeout_s=timeout_s, kind="PowerPoint")
            pieces = _ooxml_pieces(path, _pptx_pieces, budget)
    except _Refused as e:
        return _failed(str(e))
    except OSError as e:
        return _failed(f"could not open the file: {e.strerror or e}")
    return _assemble(pieces)


def iter_documents(root: Path) -> Iterator[tuple[str, Path]]:
    """(id, path) of every supported file under `root`, sorted by id, the id being the path
    relative to `root` with forward slashes. Hidden files and folders and Office lock files
    (~$name.docx) are skipped; symbolic links to folders are not followed."""
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith((".", "~$")) or not name.lower().endswith(SUPPORTED_SUFFIXES):
                continue
            path = Path(folder, name)
            found.append((path.relative_to(root).as_posix(), path))
    found.sort(key=lambda item: item[0])
    yield from found


def _failed(reason: str) -> Extracted:
    return Extracted(text="", segments=(), error=reason)


def _has_text(text: str) -> bool:
    return bool(text.strip().strip("\ufeff").strip())


def _assemble(pieces: list[tuple[str, str]]) -> Extracted:
    """Join the non-blank pieces with "\n", each piece one segment."""
    parts: list[str] = []
    segments: list[Segment] = []
    offset = 0
    for where, text in pieces:
        if not _has_text(text):
            continue
        if parts:
            parts.append("\n")
            offset += 1
        parts.append(text)
        segments.append(Segment(offset, offset + len(text), where))
        offset += len(text)
    if not segments:
        return _failed("no text found")
    return Extracted(text="".join(parts), segments=tuple(segments))


# --- .txt --------------------------------------------------------------------------------------


def _extract_txt(path: Path, max_bytes: int) -> Extracted:
    with path.open("rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _Refused(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise _Refused("not valid UTF-8 text") from e
    if not _has_text(text):
        raise _Refused("no text found")
    # One segment per non-blank line, the line ending left out. str.find keeps this linear
    # however long the lines are.
    segments: list[Segment] = []
    start = 0
    number = 1
    length = len(text)
    while start < length:
        newline = text.find("\n", start)
        end = length if newline < 0 else newline
        stop = end - 1 if end > start and text[end - 1] == "\r" else end
        if not text[start:stop].isspace() and stop > start:
            segments.append(Segment(start, stop, f"line {number}"))
        start = end + 1
        number += 1
    return Extracted(text=text, segments=tuple(segments))


# --- .pdf --------------------------------------------------------------------------------------

# banzu/similarity/extract.py -> project root, so "-m banzu.similarity.pdfchild" resolves.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Nothing of the caller's environment (secrets, settings) reaches the parser.
_CHILD_ENV = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}


def _pdf_pieces(path: Path, *, timeout_s: float, memory_mb: int) -> list[tuple[str, str]]:
    too_slow = f"the PDF took longer than {timeout_s:g} s to read"
    cpu_s = max(1, math.ceil(timeout_s)) + 1  # the wall clock normally fires first
    command = [sys.executable, "-E", "-s", "-B", "-m", "banzu.similarity.pdfchild"]
    command += [str(memory_mb), str(cpu_s), str(path.resolve())]
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            command,
            cwd=_PROJECT_ROOT,
            env=_CHILD_ENV,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            close_fds=True,
            check=False,
        )
    except subprocess.TimeoutExpired as e:  # run() has killed the child
        raise _Refused(too_slow) from e
    if proc.returncode == -signal.SIGXCPU:
        raise _Refused(too_slow)
    if proc.returncode < 0:
        signal_number = -proc.returncode
        raise _Refused(f"could not read the PDF: the reader was killed by signal {signal_number}")
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _Refused(f"could not read the PDF: {lines[-1] if lines else 'unknown error'}")
    try:
        pages: Any = json.loads(proc.stdout)["pages"]
    except (ValueError, KeyError, TypeError) as e:
        raise _Refused("could not read the PDF: the reader gave no result") from e
    if not isinstance(pages, list) or not all(isinstance(page, str) for page in pages):
        raise _Refused("could not read the PDF: the reader gave no result")
    return [(f"page {number}", text) for number, text in enumerate(pages, start=1)]


# --- .docx and .pptx: the zip ------------------------------------------------------------------

_TOO_LARGE = "too large when uncompressed"
_MAX_ENTRIES = 10_000
_CHUNK = 64 * 1024


class _Budget:
    """What reading this file may still cost: uncompressed bytes over all the parts read, and
    time (a part of legal but hostile XML, millions of empty elements, is slow to walk)."""

    def __init__(self, max_bytes: int, *, timeout_s: float, kind: str) -> None:
        self.remaining = max_bytes
        self._deadline = time.monotonic() + timeout_s
        self.kind = kind
        self._too_slow = f"the {kind} file took longer than {timeout_s:g} s to read"

    def take(self, count: int) -> None:
        self.remaining -= count
        if self.remaining < 0:
            raise _Refused(_TOO_LARGE)

    def check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise _Refused(self._too_slow)


class _BoundedReader:
    """A zip entry read through the budget: zipfile stops at the declared size (and then fails
    the CRC check if the data goes on), and the budget stops at ours whatever is declared."""

    def __init__(self, raw: IO[bytes], budget: _Budget) -> None:
        self._raw = raw
        self.budget = budget

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(_CHUNK if size is None or size < 0 else min(size, _CHUNK))
        self.budget.take(len(data))
        return data


class _Package:
    def __init__(self, zf: zipfile.ZipFile, budget: _Budget) -> None:
        self._zf = zf
        self._budget = budget
        infos = zf.infolist()
        # Part names are case-insensitive in OPC.
        self._infos = {info.filename.lower(): info for info in infos}

    def open(self, name: str) -> _BoundedReader:
        info = self._infos.get(name.lower())
        if info is None:
            raise _Refused(f"could not read the file: the part {name} is missing")
        if info.file_size > self._budget.remaining:
            raise _Refused(_TOO_LARGE)
        return _BoundedReader(self._zf.open(info), self._budget)

    def xml(self, name: str) -> Any:
        """A small part (relationships, the presentation) as a whole tree."""
        reader = self.open(name)
        data = b"".join(iter(lambda: reader.read(_CHUNK), b""))
        # A parser per call: lxml parsers must not be shared between threads.
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
        )
        root = etree.fromstring(data, parser)
        _refuse_dtd(root)
        return root

    def targets(self, source: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type, part name) of the part `source` ("" for the package)."""
        folder, _, base = source.rpartition("/")
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels.lower() not in self._infos:
            return {}
        result = {}
        for rel in self.xml(rels).iterfind(_RELATIONSHIP):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target", "")
            name = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            result[rel.get("Id", "")] = (rel.get("Type", ""), posixpath.normpath(name))
        return result

    def main_part(self, default: str) -> str:
        for kind, name in self.targets("").values():
            if kind.endswith("/officeDocument"):
                return name
        return default


_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _refuse_dtd(element: Any) -> None:
    # Office never writes a DTD; one can only be an attack (entity expansion, external files).
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _Refused("could not read the file: it contains a DTD, which Office never writes")


def _ooxml_pieces(
    path: Path, read: Callable[[_Package], list[tuple[str, str]]], budget: _Budget
) -> list[tuple[str, str]]:
    kind = budget.kind
    try:
        _check_zip_directory(path)
        with zipfile.ZipFile(path) as zf:
            return read(_Package(zf, budget))
    # A broken zip, and also an encrypted one or an unknown compression method (zipfile raises
    # RuntimeError, NotImplementedError or ValueError): the document's error, never a crash.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        ValueError,
    ) as e:
        raise _Refused(f"could not read the {kind} file: {_reason(e)}") from e
    except etree.LxmlError as e:
        raise _Refused(f"could not read the {kind} file: bad XML: {_reason(e)}") from e


_EOCD = struct.Struct("<4s4H2LH")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")
_MAX_DIRECTORY = 4 * 1024 * 1024  # 10,000 entries take about 1 MB


def _check_zip_directory(path: Path) -> None:
    """Refuse a zip whose directory lists too many entries before zipfile builds an object for
    each of them (millions of entries cost gigabytes of memory)."""
    with path.open("rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        tail_size = min(size, _EOCD.size + 0xFFFF + _ZIP64_EOCD.size + 20)
        fh.seek(size - tail_size)
        tail = fh.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + _EOCD.size > len(tail):
        return  # not a zip: zipfile says so in its own words
    entries, directory = _EOCD.unpack_from(tail, at)[4:6]
    zip64 = tail.rfind(b"PK\x06\x06", 0, at)
    if (entries == 0xFFFF or directory == 0xFFFFFFFF) and zip64 >= 0:
        entries, directory = _ZIP64_EOCD.unpack_from(tail, zip64)[7:9]
    if entries > _MAX_ENTRIES or directory > _MAX_DIRECTORY:
        raise _Refused(f"could not read the file: more than {_MAX_ENTRIES} zip entries")


def _reason(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def _stream(reader: _BoundedReader) -> Iterator[tuple[str, Any]]:
    """Start and end events of every element; each element is dropped once it ended, so memory
    stays small whatever the part holds."""
    events = etree.iterparse(
        reader,
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
    )
    for count, (event, element) in enumerate(events):
        if not count:
            _refuse_dtd(element)
        elif not count % 8192:
            reader.budget.check_time()
        yield event, element
        if event == "end":
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]


# --- .docx ---------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# What each element of interest is; every other element (most of them: run properties) costs one
# dict lookup. Skipped subtrees have no text of the document: paragraph properties (their w:tab
# are tab stops), deleted and moved-away revisions, and the fallback copy of a drawing (which
# would give a text box twice).
_SKIP, _PARAGRAPH, _TEXT, _TABLE, _ROW, _CELL, _TEXT_BOX = range(7)
_DOCX_KINDS: dict[str, int | str] = {
    _MC_FALLBACK: _SKIP,
    _W + "pPr": _SKIP,
    _W + "del": _SKIP,
    _W + "moveFrom": _SKIP,
    _W + "p": _PARAGRAPH,
    _W + "t": _TEXT,
    _W + "tbl": _TABLE,
    _W + "tr": _ROW,
    _W + "tc": _CELL,
    _W + "txbxContent": _TEXT_BOX,
    # Characters written as elements inside a run.
    _W + "tab": "\t",
    _W + "ptab": "\t",
    _W + "br": "\n",
    _W + "cr": "\n",
    _W + "noBreakHyphen": "-",
}


def _docx_pieces(package: _Package) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    open_paragraphs: list[list[str]] = []  # a text box's paragraphs open inside another one
    cell: list[str] = []
    skipping = tables = boxes = 0
    paragraph = table = row = column = 0
    for event, element in _stream(package.open(package.main_part("word/document.xml"))):
        kind = _DOCX_KINDS.get(element.tag)
        if kind is None:
            continue
        if kind == _SKIP:
            skipping += 1 if event == "start" else -1
        elif skipping:
            continue
        elif event == "start":
            if kind == _PARAGRAPH:
                if not (open_paragraphs or tables or boxes):
                    paragraph += 1
                open_paragraphs.append([])
            elif kind == _TABLE:
                if not tables:
                    table += 1
                    row = 0
                tables += 1
            elif kind == _ROW and tables == 1:
                row += 1
                column = 0
            elif kind == _CELL and tables == 1:
                column += 1
                cell = []
            elif kind == _TEXT_BOX:
                boxes += 1
        elif kind == _TEXT:
            if open_paragraphs:
                open_paragraphs[-1].append(element.text or "")
        elif isinstance(kind, str):
            if open_paragraphs and element.getparent().tag == _W + "r":
                open_paragraphs[-1].append(kind)
        elif kind == _PARAGRAPH:
            text = "".join(open_paragraphs.pop())
            if tables:
                cell.append(text)
            elif boxes:
                pieces.append((f"text box in paragraph {paragraph}", text))
            else:
                pieces.append((f"paragraph {paragraph}", text))
        elif kind == _CELL and tables == 1:
            text = "\n".join(part for part in cell if _has_text(part))
            pieces.append((f"table {table}, row {row}, cell {column}", text))
        elif kind == _TABLE:
            tables -= 1
        elif kind == _TEXT_BOX:
            boxes -= 1
    return pieces


# --- .pptx ---------------------------------------------------------------------------------------

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _pptx_pieces(package: _Package) -> list[tuple[str, str]]:
    presentation = package.main_part("ppt/presentation.xml")
    targets = package.targets(presentation)
    pieces: list[tuple[str, str]] = []
    slide_ids = package.xml(presentation).iterfind(f"{_P}sldIdLst/{_P}sldId")
    for number, slide_id in enumerate(slide_ids, start=1):
        kind, name = targets.get(slide_id.get(_R_ID, ""), ("", ""))
        if kind.endswith("/slide"):
            pieces.append((f"slide {number}", _slide_text(package.open(name))))
    return pieces


def _slide_text(reader: _BoundedReader) -> str:
    """Every paragraph of the slide's shapes, tables and groups, in the order they are drawn."""
    paragraphs: list[str] = []
    open_paragraphs: list[list[str]] = []
    skipping = 0
    for event, element in _stream(reader):
        tag = element.tag
        if tag == _MC_FALLBACK:
            skipping += 1 if event == "start" else -1
        elif skipping:
            continue
        elif tag == _A + "p":
            if event == "start":
                open_paragraphs.append([])
            else:
                text = "".join(open_paragraphs.pop())
                if _has_text(text):
                    paragraphs.append(text)
        elif event == "end" and open_paragraphs:
            if tag == _A + "t":
                open_paragraphs[-1].append(element.text or "")
            elif tag == _A + "br":
                open_paragraphs[-1].append("\n")
    return "\n".join(paragraphs)
