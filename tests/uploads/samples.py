"""Build sample uploads programmatically (no binary fixtures in the repo)."""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from docx import Document
from pptx import Presentation
from pypdf import PdfWriter

MiB = 1024 * 1024
CT_NAME = "[Content_Types].xml"
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
PPTX_MAIN = "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"
PPTM_MAIN = "application/vnd.ms-powerpoint.presentation.macroEnabled.main+xml"
VBA_TYPE = "application/vnd.ms-office.vbaProject"

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE w:document [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>
"""


def make_docx(path: Path, text: str = "申请书 application") -> Path:
    document = Document()
    document.add_paragraph(text)
    document.save(str(path))
    return path


def make_pptx(path: Path, text: str = "演示 slides") -> Path:
    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = text
    presentation.save(str(path))
    return path


def make_pdf(path: Path, pages: int = 1) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def make_heavy_pdf(path: Path, text_bytes: int = 10 * MiB) -> Path:
    """A valid PDF whose page shows one huge string.  Deflated it is tiny on
    disk, but pypdf needs roughly 170 MB of address space to extract its
    text (one big literal stays within pypdf's own token budgets)."""
    content = b"BT /F1 12 Tf 10 10 Td (" + b"a" * text_bytes + b") Tj ET\n"
    stream = zlib.compress(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


class _Unseekable:
    """Write-only file wrapper: zipfile then falls back to data descriptors
    (sizes written after the data), as streaming tools such as LibreOffice
    and Java's ZipOutputStream do."""

    def __init__(self, fh: BinaryIO) -> None:
        self._fh = fh

    def write(self, data: bytes) -> int:
        return self._fh.write(data)

    def tell(self) -> int:
        return self._fh.tell()

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        pass  # the caller closes the real file


def rewrite_zip(
    source: Path,
    target: Path,
    *,
    replace: dict[str, bytes] | None = None,
    add: list[tuple[zipfile.ZipInfo | str, bytes]] | None = None,
    drop: set[str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
    data_descriptors: bool = False,
) -> Path:
    """Copy an OOXML package entry by entry, replacing/adding/dropping some."""
    replace = replace or {}
    drop = drop or set()
    with target.open("wb") as raw, zipfile.ZipFile(source) as src:
        out: _Unseekable | BinaryIO = _Unseekable(raw) if data_descriptors else raw
        with zipfile.ZipFile(out, "w", compression) as dst:
            for info in src.infolist():
                if info.filename not in drop:
                    dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
            for name, data in add or []:
                dst.writestr(name, data)
    return target


def content_types(source: Path) -> str:
    with zipfile.ZipFile(source) as zf:
        return zf.read(CT_NAME).decode("utf-8")


def make_macro_docx(tmp_path: Path) -> Path:
    base = make_docx(tmp_path / "base.docx")
    ct = content_types(base).replace(DOCX_MAIN, DOCM_MAIN)
    ct = ct.replace("<Default ", f'<Default Extension="bin" ContentType="{VBA_TYPE}"/><Default ', 1)
    return rewrite_zip(
        base,
        tmp_path / "macro.docx",
        replace={CT_NAME: ct.encode()},
        add=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0fake-ole")],
    )


def make_macro_pptx(tmp_path: Path) -> Path:
    base = make_pptx(tmp_path / "base.pptx")
    ct = content_types(base).replace(PPTX_MAIN, PPTM_MAIN)
    ct = ct.replace("<Default ", f'<Default Extension="bin" ContentType="{VBA_TYPE}"/><Default ', 1)
    return rewrite_zip(
        base,
        tmp_path / "macro.pptx",
        replace={CT_NAME: ct.encode()},
        add=[("ppt/vbaProject.bin", b"\xd0\xcf\x11\xe0fake-ole")],
    )


def make_xlsx_like(path: Path) -> Path:
    ct = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        "</Types>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(CT_NAME, ct)
        zf.writestr("xl/workbook.xml", "<workbook/>")
    return path


def make_zip_bomb(path: Path, megabytes: int = 200) -> Path:
    """One entry of `megabytes` MiB of zeros, streamed so memory stays low."""
    zero = bytes(MiB)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("word/document.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(megabytes):
            entry.write(zero)
    return path


def symlink_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix, so external_attr carries st_mode
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def write_raw_zip(
    path: Path,
    entries: list[tuple[str, bytes, int]],
    alias: tuple[str, int, int] | None = None,
) -> Path:
    """Write deflated entries as (name, data, declared uncompressed size).

    zipfile always tells the truth, so lying sizes need raw bytes.  `alias`
    (name, entry index, byte shift) adds one more central-directory record
    pointing into an existing entry, as overlapping zip bombs do."""
    local_fmt, central_fmt = "<4s5H3L2H", "<4s6H3L5H2L"
    out = bytearray()
    central = bytearray()
    records: list[tuple[bytes, int, int, int, int]] = []
    for name, data, declared in entries:
        raw_name = name.encode("utf-8")
        compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        packed = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        fields = (crc, len(packed), declared, len(raw_name), 0)
        records.append((raw_name, len(out), crc, len(packed), declared))
        out += struct.pack(local_fmt, b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, *fields)
        out += raw_name + packed
    if alias is not None:
        _, offset, crc, packed_len, declared = records[alias[1]]
        records.append((alias[0].encode("utf-8"), offset + alias[2], crc, packed_len, declared))
    for raw_name, offset, crc, packed_len, declared in records:
        sizes = (crc, packed_len, declared, len(raw_name), 0, 0, 0, 0, 0, offset)
        central += struct.pack(central_fmt, b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, *sizes)
        central += raw_name
    count = len(records)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    path.write_bytes(bytes(out + central + eocd))
    return path
