"""The structural checks of an OOXML package (.docx, .pptx, and the workbooks embedded in them).

Pure Python, in the web process: every entry is inflated by hand with a hard bound (never more
than the archive declares), XML is scanned for DTDs, relationships are read for links that
leave the package, and every binary entry is sniffed. What is refused, per the OWASP file upload
guidance:

- macros and ActiveX, by name, by content type, by relationship type, and by content: an OLE
  compound file (D0 CF 11 E0) anywhere is refused, so a renamed vbaProject.bin is too;
- external relationships (remote templates, linked objects, frames, sub-documents, linked
  pictures), except hyperlinks to http(s) or mailto addresses or inside the document;
- embedded objects: an entry under */embeddings/ must be an image or an OOXML package (.docx,
  .xlsx, .pptx without macros) that passes these same checks, within the same entry and size
  budget as its container; OLE objects, packages of other kinds and executables are refused,
  as are altChunk imports;
- DDE fields and links (banzu.uploads.fields), in every XML part.
"""

from __future__ import annotations

import bisect
import re
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException  # type: ignore[import-untyped, unused-ignore]
from defusedxml.ElementTree import fromstring as safe_fromstring  # type: ignore[import-untyped, unused-ignore]

from banzu.uploads.base import Limits, UploadRejected, plain_link, reject
from banzu.uploads.fields import scan_fields

_MiB = 1024 * 1024
_CHUNK = 64 * 1024
_MAX_CONTENT_TYPES = 2 * _MiB
_MAX_RELS = 16 * _MiB
_CT_NAME = "[content_types].xml"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_OFFICE = "application/vnd.openxmlformats-officedocument"
DOCX_MAIN = f"{_OFFICE}.wordprocessingml.document.main+xml"
PPTX_MAIN = f"{_OFFICE}.presentationml.presentation.main+xml"
XLSX_MAIN = f"{_OFFICE}.spreadsheetml.sheet.main+xml"
# What may be embedded in a document: the plain (macro-free) packages.
EMBEDDABLE_MAINS = frozenset({DOCX_MAIN, PPTX_MAIN, XLSX_MAIN})
# A document in a workbook in a presentation is as deep as anything real goes.
_MAX_DEPTH = 2
_SPOOL = 8 * _MiB
_MACRO_NAMES = {"vbaproject.bin", "vbadata.xml"}
_MACRO_TYPE_MARKERS = (
    "macroenabled",
    "vbaproject",
    "ms-office.activex",
    "attachedtoolbars",
    "keymapcustomizations",
)
# The last segment of a relationship type, lower-cased.
_MACRO_RELATIONSHIPS = {
    "vbaproject",
    "vbaprojectsignature",
    "vbaprojectsignatureagile",
    "wordvbadata",
    "keymapcustomizations",
    "attachedtoolbars",
    "control",
    "activexcontrol",
    "activexcontrolbinary",
}
# OLE objects and altChunk imports (HTML, RTF, MHT merged into the document when it opens).
_EMBEDDING_RELATIONSHIPS = {"oleobject", "afchunk"}
_XML_SUFFIXES = (".xml", ".rels", ".vml")
_LOCAL_HEADER = struct.Struct("<4s5H3L2H")
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SNIFF = 4096
_IMAGE_SIGNATURES = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
    b"\xd7\xcd\xc6\x9a",  # placeable WMF
    b"\x01\x00\x09\x00",  # WMF
    b"\x02\x00\x09\x00",
)


@dataclass
class Budget:
    """What is left of the limits for a package and everything embedded in it."""

    entries: int
    bytes: int


def check_package_file(path: Path, main_types: set[str], limits: Limits) -> None:
    """Check the OOXML package at `path`, whose main part must have one of `main_types`."""
    budget = Budget(entries=limits.max_zip_entries, bytes=limits.max_uncompressed_bytes)
    with path.open("rb") as fh:
        _check_package(fh, main_types, limits, budget, depth=0)


def _check_package(
    fh: BinaryIO, main_types: set[str] | frozenset[str], limits: Limits, budget: Budget, depth: int
) -> None:
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise reject("parse", f"unreadable zip: {e}") from e
    check_central_directory(infos, limits, budget)
    check_entry_names(infos)
    ct_info = next((i for i in infos if i.orig_filename.lower() == _CT_NAME), None)
    if ct_info is None:
        raise reject("magic", "no [Content_Types].xml")
    offsets = sorted(i.header_offset for i in infos)
    types = _read_content_types(fh, ct_info, offsets)
    for ctype in types.values():
        if any(marker in ctype for marker in _MACRO_TYPE_MARKERS):
            raise reject("macro", f"content type {ctype!r}")
    _check_main_part(types, infos, main_types)
    for info in infos:
        name = info.orig_filename
        chunks = stream_entry(fh, info, offsets)
        if name.lower().endswith(".rels"):
            data = bytearray()
            check_xml_stream(_collect(chunks, data, name), name)
            _check_relationships(bytes(data), name)
        elif _is_xml(name, types):
            check_xml_stream(scan_fields(chunks, name), name)
        else:
            _check_binary(chunks, name, limits, budget, depth)


def check_central_directory(
    infos: list[zipfile.ZipInfo], limits: Limits, budget: Budget | None = None
) -> None:
    # Trusting only the central directory here is fine: stream_entry later
    # proves every declared size while decompressing with a hard bound.
    if budget is None:
        budget = Budget(entries=limits.max_zip_entries, bytes=limits.max_uncompressed_bytes)
    budget.entries -= len(infos)
    if budget.entries < 0:
        raise reject("zip_bomb", f"{len(infos)} entries")
    total = sum(i.file_size for i in infos)
    budget.bytes -= total
    if budget.bytes < 0:
        raise reject("zip_bomb", f"{total} bytes declared")
    for i in infos:
        if i.file_size >= _MiB and i.file_size > limits.max_ratio * i.compress_size:
            raise reject("zip_bomb", f"ratio of {i.orig_filename!r}")
    # Several central entries sharing one local entry: overlap zip bomb.
    if len({i.header_offset for i in infos}) != len(infos):
        raise reject("zip_bomb", "entries share data")


def check_entry_names(infos: list[zipfile.ZipInfo]) -> None:
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
            raise reject("path", f"entry {name!r}")
        # OPC part names are case-insensitive; duplicates let two parsers
        # see two different documents.
        if name.lower() in seen:
            raise reject("path", f"duplicate entry {name!r}")
        seen.add(name.lower())
    for name in seen:
        parts = name.split("/")
        if parts[-1] in _MACRO_NAMES or "vbaproject" in parts[-1] or "activex" in parts:
            raise reject("macro", f"entry {name!r}")


def _read_content_types(
    fh: BinaryIO, ct_info: zipfile.ZipInfo, offsets: list[int]
) -> dict[str, str]:
    """Map "override:/part" and "default:ext" keys to lower-case content types."""
    if ct_info.file_size > _MAX_CONTENT_TYPES:
        raise reject("magic", "oversized [Content_Types].xml")
    data = b"".join(stream_entry(fh, ct_info, offsets))
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise reject("doctype", "DTD in [Content_Types].xml") from e
    except ParseError as e:
        raise reject("magic", f"bad [Content_Types].xml: {e}") from e
    if root.tag != f"{_CT_NS}Types":
        raise reject("magic", "bad [Content_Types].xml root")
    types: dict[str, str] = {}
    for el in root:
        ctype = el.get("ContentType", "").strip().lower()
        if el.tag == f"{_CT_NS}Override":
            types["override:" + el.get("PartName", "").lower()] = ctype
        elif el.tag == f"{_CT_NS}Default":
            types["default:" + el.get("Extension", "").lower()] = ctype
    return types


def _check_main_part(
    types: dict[str, str], infos: list[zipfile.ZipInfo], main_types: set[str] | frozenset[str]
) -> None:
    names = {i.orig_filename.lower() for i in infos}
    for key, ctype in types.items():
        if ctype in main_types and key.startswith("override:/") and key[10:] in names:
            return
    raise reject("magic", f"no main part of {sorted(main_types)}")


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


# --- relationships and binary parts ------------------------------------------------------------


def _collect(chunks: Iterator[bytes], into: bytearray, name: str) -> Iterator[bytes]:
    for chunk in chunks:
        into += chunk
        if len(into) > _MAX_RELS:
            raise reject("zip_bomb", f"oversized relationships {name!r}")
        yield chunk


def _check_relationships(data: bytes, name: str) -> None:
    try:
        root = safe_fromstring(data, forbid_dtd=True)
    except DefusedXmlException as e:
        raise reject("doctype", f"DTD in {name!r}") from e
    except ParseError as e:
        raise reject("parse", f"bad relationships {name!r}: {e}") from e
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag.rpartition("}")[2] != "Relationship":
            continue
        kind = el.get("Type", "").strip().lower().rpartition("/")[2]
        target = el.get("Target", "")
        if kind in _MACRO_RELATIONSHIPS:
            raise reject("macro", f"{kind} relationship in {name!r}")
        if el.get("TargetMode", "").strip().lower() == "external":
            if kind == "hyperlink" and plain_link(target):
                continue
            raise reject("external", f"external {kind} to {target[:200]!r} in {name!r}")
        if kind in _EMBEDDING_RELATIONSHIPS:
            raise reject("embedded", f"{kind} relationship in {name!r}")


def _check_binary(
    chunks: Iterator[bytes], name: str, limits: Limits, budget: Budget, depth: int
) -> None:
    embedding = "/embeddings/" in "/" + name.lower()
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= _SNIFF:
            break
    if head.startswith(_OLE_SIGNATURE):
        # An OLE object, or (outside embeddings/) a macro project under another name.
        raise reject("embedded" if embedding else "macro", f"OLE data in {name!r}")
    if _is_executable(head):
        raise reject("embedded", f"executable {name!r}")
    if head.startswith(b"PK\x03\x04"):
        _check_embedded_package(head, chunks, name, limits, budget, depth)
        return
    if embedding and not head.startswith(_IMAGE_SIGNATURES) and not _is_emf(head):
        raise reject("embedded", f"embedded {name!r} is neither an image nor a package")
    for _chunk in chunks:  # proves the entry's size and checksum
        pass


def _check_embedded_package(
    head: bytes, chunks: Iterator[bytes], name: str, limits: Limits, budget: Budget, depth: int
) -> None:
    if depth >= _MAX_DEPTH:
        raise reject("embedded", f"package {name!r} nested too deep")
    with tempfile.SpooledTemporaryFile(max_size=_SPOOL) as spool:
        spool.write(head)
        for chunk in chunks:
            spool.write(chunk)
        spool.seek(0)
        try:
            _check_package(spool, EMBEDDABLE_MAINS, limits, budget, depth + 1)  # type: ignore[arg-type]
        except UploadRejected as rejected:
            # Not a document, workbook or presentation: some other program's package.
            if rejected.code in ("magic", "parse"):
                raise reject("embedded", f"embedded {name!r}: {rejected.code}") from rejected
            raise


def _is_emf(head: bytes) -> bool:
    return head[:4] == b"\x01\x00\x00\x00" and head[40:44] == b" EMF"


def _is_executable(head: bytes) -> bool:
    if head.startswith(b"\x7fELF"):
        return True
    if not head.startswith(b"MZ") or len(head) < 0x40:
        return False
    pe = int.from_bytes(head[0x3C:0x40], "little")
    return head[pe : pe + 4] == b"PE\x00\x00"


# --- bounded reading ---------------------------------------------------------------------------


def stream_entry(fh: BinaryIO, info: zipfile.ZipInfo, offsets: list[int]) -> Iterator[bytes]:
    """Yield the entry's real decompressed bytes, never more than declared.

    zipfile trusts the central directory and silently truncates output at
    the declared size, so it cannot tell a lying header (a zip bomb) from a
    damaged file.  Inflating the raw data ourselves can.
    """
    if info.flag_bits & 0x1:
        raise reject("parse", f"encrypted entry {info.orig_filename!r}")
    fh.seek(info.header_offset)
    header = fh.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise reject("parse", f"bad local header for {info.orig_filename!r}")
    fields = _LOCAL_HEADER.unpack(header)
    flags, method, name_len, extra_len = fields[2], fields[3], fields[9], fields[10]
    raw_name = fh.read(name_len)
    encoding = "utf-8" if flags & 0x800 else "cp437"
    if raw_name.decode(encoding, "replace") != info.orig_filename:
        # Local and central names differ: different tools would disagree
        # about what the archive contains.
        raise reject("path", f"name mismatch for {info.orig_filename!r}")
    data_start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    data_end = data_start + info.compress_size
    # Overlapping entries are the basis of non-recursive zip bombs: no other
    # entry may start inside this one's header or data.
    following = bisect.bisect_right(offsets, info.header_offset)
    if following < len(offsets) and offsets[following] < data_end:
        raise reject("zip_bomb", f"overlap at {info.orig_filename!r}")
    if method != info.compress_type:
        raise reject("parse", f"method mismatch for {info.orig_filename!r}")
    if method == zipfile.ZIP_STORED:
        chunks = _read_raw(fh, data_start, info.compress_size)
    elif method == zipfile.ZIP_DEFLATED:
        chunks = _inflate(fh, data_start, info.compress_size)
    else:  # Office only writes stored and deflated entries.
        raise reject("parse", f"compression method {method}")
    produced = crc = 0
    for chunk in chunks:
        produced += len(chunk)
        if produced > info.file_size:
            raise reject("zip_bomb", f"lying size for {info.orig_filename!r}")
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if produced != info.file_size or crc != info.CRC:
        raise reject("parse", f"corrupt entry {info.orig_filename!r}")


def _read_raw(fh: BinaryIO, position: int, remaining: int) -> Iterator[bytes]:
    # Seek before every read: the caller may read the same file in between (an
    # embedded package is spooled while its container is still being read).
    while remaining > 0:
        fh.seek(position)
        data = fh.read(min(_CHUNK, remaining))
        if not data:
            raise reject("parse", "truncated entry")
        position += len(data)
        remaining -= len(data)
        yield data


def _inflate(fh: BinaryIO, position: int, remaining: int) -> Iterator[bytes]:
    # max_length bounds every output chunk, so memory stays at _CHUNK no
    # matter how well the data compresses.
    d = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        while not d.eof:
            if d.unconsumed_tail:
                data = d.unconsumed_tail
            elif remaining > 0:
                fh.seek(position)
                data = fh.read(min(_CHUNK, remaining))
                if not data:
                    break
                position += len(data)
                remaining -= len(data)
            else:
                data = b""  # drain output zlib still holds
            out = d.decompress(data, _CHUNK)
            if out:
                yield out
            elif not data:
                break
    except zlib.error as e:
        raise reject("parse", f"bad deflate data: {e}") from e
    if not d.eof:
        raise reject("parse", "truncated deflate stream")


# --- XML -----------------------------------------------------------------------------------------

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
        raise reject("parse", f"UTF-32 XML in {name!r}")
    if head.startswith((b"\xff\xfe", b"<\x00")):
        codec = "utf-16-le"
    elif head.startswith((b"\xfe\xff", b"\x00<")):
        codec = "utf-16-be"
    else:
        codec = "utf-8"
    text = head.decode(codec, "ignore").lstrip("\ufeff")
    if text.strip() and not text.lstrip().startswith("<"):
        raise reject("parse", f"{name!r} is not XML")
    match = _XML_DECL_ENCODING.match(text)
    if match and match.group(1).strip().lower() not in _ALLOWED_ENCODINGS[codec]:
        raise reject("parse", f"encoding {match.group(1)!r} in {name!r}")
    return codec


def check_xml_stream(chunks: Iterator[bytes], name: str) -> None:
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
            raise reject("doctype", f"DTD in {name!r}")
        tail = window[-_TAIL:]
    if needles is None:  # entry shorter than _HEAD
        needles = _NEEDLES[_detect_xml_codec(head, name)]
        if any(n in head.lower() for n in needles):
            raise reject("doctype", f"DTD in {name!r}")
