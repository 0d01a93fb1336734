"""Upload validation for applicants' documents (OWASP file upload cheat sheet).

Pure Python on purpose: no Django import, so it can be unit-tested and reused
from management commands.  The cheap structural checks run in this process
and never decompress more than the archive declares; the real parse (the
riskiest step, done by third-party parsers) runs in a resource-limited child.
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from defusedxml.ElementTree import fromstring as safe_fromstring  # type: ignore[import-untyped, unused-ignore]

from banzu.uploads.parsecheck import run_in_child

logger = logging.getLogger(__name__)


class FileKind(StrEnum):
    DOCX = "docx"
    PPTX = "pptx"
    PDF = "pdf"


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    max_zip_entries: int = 5000
    max_uncompressed_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 100  # per entry; entries < 1 MiB uncompressed are exempt
    parse_timeout_s: int = 30
    parse_memory_bytes: int = 1024 * 1024 * 1024
    parse_cpu_s: int = 20


# Stable rejection codes.  Callers translate by code, so never rename one.
REJECTION_MESSAGES: dict[str, str] = {
    "empty": "The file is empty.",
    "too_large": "The file is too large.",
    "extension": "This file type is not accepted.",
    "name": "The file name is not valid.",
    "magic": "The file content does not match its extension.",
    "zip_bomb": "The file is compressed in a suspicious way.",
    "path": "The file contains entries with unsafe paths.",
    "macro": "Files containing macros or ActiveX controls are not accepted.",
    "doctype": "The file contains XML declarations that are not allowed.",
    "parse": "The file could not be opened; it may be damaged or encrypted.",
}


class UploadRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ValidatedFile:
    kind: FileKind
    size: int
    sha256: str
    safe_name: str


def _reject(code: str, detail: str = "") -> UploadRejected:
    # The detail is for operators only; users get the stable message.
    if detail:
        logger.info("upload rejected (%s): %s", code, detail)
    return UploadRejected(code, REJECTION_MESSAGES[code])


_EXTENSIONS = {"docx": FileKind.DOCX, "pptx": FileKind.PPTX, "pdf": FileKind.PDF}


def _base_name(name: str) -> str:
    # Browsers (old IE) and crafted requests may send full client paths in
    # either convention, whatever the server's OS is.
    return re.split(r"[/\\]", name)[-1]


def kind_for_name(original_name: str) -> FileKind:
    base = _base_name(original_name)
    _, dot, ext = base.rpartition(".")
    kind = _EXTENSIONS.get(ext.lower()) if dot else None
    if kind is None:
        raise _reject("extension", f"extension of {original_name!r}")
    return kind


_MAX_NAME = 200
# Cc: control chars, Cf: bidi overrides (U+202E spoofs "gpj.exe"), Cs: lone
# surrogates from surrogateescape, Zl/Zp: line breaks that split headers.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def safe_display_name(original_name: str) -> str:
    base = _base_name(unicodedata.normalize("NFC", original_name))
    base = re.sub(r"^[A-Za-z]:", "", base)  # drive-relative "C:report.pdf"
    base = "".join(c for c in base if unicodedata.category(c) not in _DROP_CATEGORIES)
    # Characters with meaning in headers or Windows file names.
    base = re.sub(r'[<>:"|?*]', "_", base)
    base = re.sub(r"\s+", " ", base).strip()
    base = base.lstrip(". ").rstrip(". ")
    if len(base) > _MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: _MAX_NAME - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            base = base[:_MAX_NAME]
    return base or "upload"


def validate_upload(
    path: Path,
    original_name: str,
    *,
    expected: set[FileKind] | None = None,
    limits: Limits,
) -> ValidatedFile:
    size = path.stat().st_size
    if size == 0:
        raise _reject("empty")
    if size > limits.max_bytes:
        raise _reject("too_large", f"{size} > {limits.max_bytes}")
    kind = kind_for_name(original_name)
    if expected is not None and kind not in expected:
        raise _reject("extension", f"{kind} not in {sorted(expected)}")
    if "\x00" in original_name:
        raise _reject("name", "NUL in original name")
    _check_magic(path, kind)
    if kind in (FileKind.DOCX, FileKind.PPTX):
        _check_ooxml(path, kind, limits)
    failure = parse_check(kind, path, limits)
    if failure is not None:
        raise _reject("parse", failure)
    return ValidatedFile(
        kind=kind,
        size=size,
        sha256=_sha256(path),
        safe_name=safe_display_name(original_name),
    )


def parse_check(kind: FileKind, path: Path, limits: Limits) -> str | None:
    """Parse `path` with the real parsers in a limited child: None if it parsed, else why not.

    validate_upload's one way to the child. The test suite wraps it to reuse the answer for bytes
    it has already parsed (tests/conftest.py); the tests of this path call it for real.
    """
    return run_in_child(
        kind.value,
        path,
        timeout_s=limits.parse_timeout_s,
        memory_bytes=limits.parse_memory_bytes,
        cpu_s=limits.parse_cpu_s,
    )


def _check_magic(path: Path, kind: FileKind) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    magic = b"%PDF-" if kind is FileKind.PDF else b"PK\x03\x04"
    if not head.startswith(magic):
        raise _reject("magic", f"{kind} starting with {head!r}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


# --- OOXML (zip) checks --------------------------------------------------

_MiB = 1024 * 1024
_CHUNK = 64 * 1024
_MAX_CONTENT_TYPES = 2 * _MiB
_CT_NAME = "[content_types].xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_MAIN_TYPES = {
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument"
    ".wordprocessingml.document.main+xml",
    FileKind.PPTX: "application/vnd.openxmlformats-officedocument"
    ".presentationml.presentation.main+xml",
}
_MACRO_NAMES = {"vbaproject.bin", "vbadata.xml"}
_MACRO_TYPE_MARKERS = ("macroenabled", "vbaproject", "ms-office.activex")
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")


def _check_ooxml(path: Path, kind: FileKind, limits: Limits) -> None:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise _reject("parse", f"unreadable zip: {e}") from e
    with zf, path.open("rb") as fh:
        infos = zf.infolist()
        _check_central_directory(infos, limits)
        _check_entry_names(infos)
        ct_info = next((i for i in infos if i.orig_filename.lower() == _CT_NAME), None)
        if ct_info is None:
            raise _reject("magic", "no [Content_Types].xml")
        offsets = sorted(i.header_offset for i in infos)
        types = _read_content_types(fh, ct_info, offsets)
        for ctype in types.values():
            if any(marker in ctype for marker in _MACRO_TYPE_MARKERS):
                raise _reject("macro", f"content type {ctype!r}")
        _check_main_part(types, infos, kind)
        for info in infos:
            chunks = _stream_entry(fh, info, offsets)
            if _is_xml(info.orig_filename, types):
                _check_xml_stream(chunks, info.orig_filename)
            else:
                for _ in chunks:
                    pass


def _check_central_directory(infos: list[zipfile.ZipInfo], limits: Limits) -> None:
    # Trusting only the central directory here is fine: _stream_entry later
    # proves every declared size while decompressing with a hard bound.
    if len(infos) > limits.max_zip_entries:
        raise _reject("zip_bomb", f"{len(infos)} entries")
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise _reject("zip_bomb", f"{total} bytes declared")
    for i in infos:
        if i.file_size >= _MiB and i.file_size > limits.max_ratio * i.compress_size:
            raise _reject("zip_bomb", f"ratio of {i.orig_filename!r}")
    # Several central entries sharing one local entry: overlap zip bomb.
    if len({i.header_offset for i in infos}) != len(infos):
        raise _reject("zip_bomb", "entries share data")


def _check_entry_names(infos: list[zipfile.ZipInfo]) -> None:
    seen: set[str] = set()
    for info in infos:
        # orig_filename: ZipInfo.filename is silently cut at the first NUL.
        name = info.orig_filename
        if (
            not name
            or ".." in name
            or name.startswith("/")
            or "\\" in name
            or re.match(r"[A-Za-z]:", name)
            or any(ord(c) < 32 or c == "\x7f" for c in name)
            or stat.S_ISLNK(info.external_attr >> 16)
        ):
            raise _reject("path", f"entry {name!r}")
        # OPC part names are case-insensitive; duplicates let two parsers
        # see two different documents.
        if name.lower() in seen:
            raise _reject("path", f"duplicate entry {name!r}")
        seen.add(name.lower())
    for name in seen:
        parts = name.split("/")
        if parts[-1] in _MACRO_NAMES or "activex" in parts:
            raise _reject("macro", f"entry {name!r}")


def _read_content_types(
    fh: BinaryIO, ct_info: zipfile.ZipInfo, offsets: list[int]
) -> dict[str, str]:
    """Map "override:/part" and "default:ext" keys to lower-case content types."""
    if ct_info.file_size > _MAX_CONTENT_TYPES:
        raise _reject("magic", "oversized [Content_Types].xml")
    data = b"".join(_stream_entry(fh, ct_info, offsets))
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise _reject("doctype", "DTD in [Content_Types].xml") from e
    except ParseError as e:
        raise _reject("magic", f"bad [Content_Types].xml: {e}") from e
    if root.tag != f"{_CT_NS}Types":
        raise _reject("magic", "bad [Content_Types].xml root")
    types: dict[str, str] = {}
    for el in root:
        ctype = el.get("ContentType", "").strip().lower()
        if el.tag == f"{_CT_NS}Override":
            types["override:" + el.get("PartName", "").lower()] = ctype
        elif el.tag == f"{_CT_NS}Default":
            types["default:" + el.get("Extension", "").lower()] = ctype
    return types


def _check_main_part(types: dict[str, str], infos: list[zipfile.ZipInfo], kind: FileKind) -> None:
    names = {i.orig_filename.lower() for i in infos}
    main = _MAIN_TYPES[kind]
    for key, ctype in types.items():
        if ctype == main and key.startswith("override:/") and key[10:] in names:
            return
    raise _reject("magic", f"no {kind} main part")


def _is_xml(name: str, types: dict[str, str]) -> bool:
    lower = name.lower()
    if lower.endswith(_XML_SUFFIXES):
        return True
    # Parts are found through relationships and content types, not file
    # names, so "word/document.dat" declared as XML must be scanned too.
    base = lower.rpartition("/")[2]
    ext = base.rpartition(".")[2] if "." in base else ""
    ctype = types.get("override:/" + lower) or types.get("default:" + ext, "")
    return ctype.endswith("xml") and not ctype.startswith("image/")


def _stream_entry(fh: BinaryIO, info: zipfile.ZipInfo, offsets: list[int]) -> Iterator[bytes]:
    """Yield the entry's real decompressed bytes, never more than declared.

    zipfile trusts the central directory and silently truncates output at
    the declared size, so it cannot tell a lying header (a zip bomb) from a
    damaged file.  Inflating the raw data ourselves can.
    """
    if info.flag_bits & 0x1:
        raise _reject("parse", f"encrypted entry {info.orig_filename!r}")
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise _reject("parse", f"bad local header for {info.orig_filename!r}")
    fields = _LOCAL_HEADER.unpack(header)
    flags, method, name_len, extra_len = fields[2], fields[3], fields[9], fields[10]
    raw_name = fh.read(name_len)
    encoding = "utf-8" if flags & 0x800 else "cp437"
    if raw_name.decode(encoding, "replace") != info.orig_filename:
        # Local and central names differ: different tools would disagree
        # about what the archive contains.
        raise _reject("path", f"name mismatch for {info.orig_filename!r}")
    data_start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    data_end = data_start + info.compress_size
    # Overlapping entries are the basis of non-recursive zip bombs: no other
    # entry may start inside this one's header or data.
    following = bisect.bisect_right(offsets, info.header_offset)
    if following < len(offsets) and offsets[following] < data_end:
        raise _reject("zip_bomb", f"overlap at {info.orig_filename!r}")
    if method != info.compress_type:
        raise _reject("parse", f"method mismatch for {info.orig_filename!r}")
    fh.seek(data_start)
    if method == zipfile.ZIP_STORED:
        chunks = _read_raw(fh, info.compress_size)
    elif method == zipfile.ZIP_DEFLATED:
        chunks = _inflate(fh, info.compress_size)
    else:  # Office only writes stored and deflated entries.
        raise _reject("parse", f"compression method {method}")
    produced = crc = 0
    for chunk in chunks:
        produced += len(chunk)
        if produced > info.file_size:
            raise _reject("zip_bomb", f"lying size for {info.orig_filename!r}")
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise _reject("parse", f"corrupt entry {info.orig_filename!r}")


def _read_raw(fh: BinaryIO, remaining: int) -> Iterator[bytes]:
    while remaining > 0:
        data = fh.read(min(_CHUNK, remaining))
        if not data:
            raise _reject("parse", "truncated entry")
        remaining -= len(data)
        yield data


def _inflate(fh: BinaryIO, remaining: int) -> Iterator[bytes]:
    # max_length bounds every output chunk, so memory stays at _CHUNK no
    # matter how well the data compresses.
    d = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while not d.eof:
            if d.unconsumed_tail:
                data = d.unconsumed_tail
            elif remaining > 0:
                data = fh.read(min(_CHUNK, remaining))
                if not data:
                    break
                remaining -= len(data)
            else:
                data = b""  # drain output zlib still holds
            out = d.decompress(data, _CHUNK)
            if out:
                yield out
            elif not data:
                break
    except zlib.error as e:
        raise _reject("parse", f"bad deflate data: {e}") from e
    if not d.eof:
        raise _reject("parse", "truncated deflate stream")


_NEEDLES = {
    codec: [n.encode(codec) for n in ("<!doctype", "<!entity")]
    for codec in ("utf-8", "utf-16-le", "utf-16-be")
}
_HEAD = 512
_TAIL = 64
_XML_DECL_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)""")
# OPC (ECMA-376-2) only allows UTF-8 and UTF-16.  Any other declared encoding
# (UTF-7, EBCDIC ...) could hide "<!DOCTYPE" from a byte search.
_ALLOWED_ENCODINGS = {
    "utf-8": {"utf-8", "utf8", "us-ascii", "ascii"},
    "utf-16-le": {"utf-16", "utf-16le"},
    "utf-16-be": {"utf-16", "utf-16be"},
}


def _detect_xml_codec(head: bytes, name: str) -> str:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"<\x00\x00\x00")):
        raise _reject("parse", f"UTF-32 XML in {name!r}")
    if head.startswith((b"\xff\xfe", b"<\x00")):
        codec = "utf-16-le"
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        codec = "utf-16-be"
    else:
        codec = "utf-8"
    text = head.decode(codec, "ignore").lstrip("\ufeff")
    if text.strip() and not text.lstrip().startswith("<"):
        raise _reject("parse", f"{name!r} is not XML")
    match = _XML_DECL_ENCODING.match(text)
    if match and match.group(1).strip().lower() not in _ALLOWED_ENCODINGS[codec]:
        raise _reject("parse", f"encoding {match.group(1)!r} in {name!r}")
    return codec


def _check_xml_stream(chunks: Iterator[bytes], name: str) -> None:
    """Reject DTDs/entities (XXE, billion laughs) in bounded streamed chunks."""
    head = b""
    needles: list[bytes] | None = None
    tail = b""
    for chunk in chunks:
        if needles is None:
            head += chunk
            if len(head) < _HEAD:
                continue
            chunk, head = head, b""
            needles = _NEEDLES[_detect_xml_codec(chunk, name)]
        # bytes.lower() only touches ASCII letters, which also works on the
        # UTF-16 encodings (it can only add false positives, never misses).
        window = tail + chunk.lower()
        if any(n in window for n in needles):
            raise _reject("doctype", f"DTD in {name!r}")
        tail = window[-_TAIL:]
    if needles is None:  # entry shorter than _HEAD
        needles = _NEEDLES[_detect_xml_codec(head, name)]
        if any(n in head.lower() for n in needles):
            raise _reject("doctype", f"DTD in {name!r}")
