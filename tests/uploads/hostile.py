"""Hostile uploads built in the test (issue 16, item 4): OOXML with links out, macros and
embedded objects; PDFs with scripts, actions, attachments and bombs; the slow PDF (item 2)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

from tests.uploads import samples

REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GiB = 1024 * samples.MiB


def ole_blob(payload: bytes = b"") -> bytes:
    """The start of an OLE compound file (what vbaProject.bin and oleObject*.bin are)."""
    return OLE_SIGNATURE + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff" + payload + b"\x00" * 512


def pe_executable() -> bytes:
    """The headers of a Windows program: "MZ", the PE offset at 0x3c, "PE\\0\\0" there."""
    head = bytearray(b"MZ" + b"\x90" * 0x7E)
    head[0x3C:0x40] = (0x80).to_bytes(4, "little")
    return bytes(head) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 200


def relationships(*rels: tuple[str, str, str | None]) -> bytes:
    """A relationships part of (type's last segment or full URI, target, target mode)."""
    items = []
    for number, (kind, target, mode) in enumerate(rels, start=1):
        rtype = kind if "://" in kind else R_BASE + kind
        mode_attr = f' TargetMode="{mode}"' if mode else ""
        items.append(
            f'<Relationship Id="rIdX{number}" Type="{rtype}" Target="{target}"{mode_attr}/>'
        )
    return f'<Relationships xmlns="{REL_NS}">{"".join(items)}</Relationships>'.encode()


def with_rels(existing: bytes, *rels: tuple[str, str, str | None]) -> bytes:
    """`existing` relationships plus `rels`."""
    added = relationships(*rels).decode()
    inner = added[added.index(">") + 1 : added.rindex("<")]
    text = existing.decode("utf-8")
    return text.replace("</Relationships>", inner + "</Relationships>").encode()


def docx_with(
    tmp_path: Path,
    name: str,
    *,
    document_rels: tuple[tuple[str, str, str | None], ...] = (),
    settings_rels: tuple[tuple[str, str, str | None], ...] = (),
    parts: tuple[tuple[str, bytes], ...] = (),
    defaults: dict[str, str] | None = None,
) -> Path:
    """A real python-docx document with relationships and parts added."""
    base = samples.make_docx(tmp_path / f"base-{name}", "班组材料 materials")
    with zipfile.ZipFile(base) as zf:
        doc_rels = zf.read("word/_rels/document.xml.rels")
    ct = samples.content_types(base)
    for ext, ctype in (defaults or {}).items():
        ct = ct.replace(
            "<Default ", f'<Default Extension="{ext}" ContentType="{ctype}"/><Default ', 1
        )
    replace = {samples.CT_NAME: ct.encode()}
    if document_rels:
        replace["word/_rels/document.xml.rels"] = with_rels(doc_rels, *document_rels)
    add: list[tuple[zipfile.ZipInfo | str, bytes]] = list(parts)
    if settings_rels:
        add.append(("word/_rels/settings.xml.rels", relationships(*settings_rels)))
    return samples.rewrite_zip(base, tmp_path / name, replace=replace, add=add)


def pptx_with(tmp_path: Path, name: str, *, parts: tuple[tuple[str, bytes], ...]) -> Path:
    base = samples.make_pptx(tmp_path / f"base-{name}")
    return samples.rewrite_zip(base, tmp_path / name, add=list(parts))


def xlsx_bytes(text: str = "数据") -> bytes:
    """A real workbook, as Word embeds one behind a chart."""
    workbook = Workbook()
    workbook.active["A1"] = text
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def docm_bytes(tmp_path: Path) -> bytes:
    return samples.make_macro_docx(tmp_path).read_bytes()


def zeros_deflate(size: int, fill: bytes = b"\x00") -> tuple[bytes, int]:
    """Raw deflate data for `size` bytes of `fill` (a whole number of MiB) and their CRC-32,
    built from one compressed MiB repeated: about a KB per MiB, in a fraction of a second."""
    zero = fill * samples.MiB
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(zero) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(zero) + compressor.flush(zlib.Z_FULL_FLUSH)
    assert again == block  # a full flush forgets the history, so every MiB compresses alike
    crc = 0
    for _ in range(size // samples.MiB):
        crc = zlib.crc32(zero, crc)
    return block * (size // samples.MiB) + compressor.flush(), crc


def raw_zip(entries: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip of already deflated entries: (name, raw deflate data, CRC-32, true size)."""
    local_fmt, central_fmt = "<4s5H3L2H", "<4s6H3L5H2L"
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in entries:
        raw_name = name.encode("utf-8")
        offset = len(out)
        out += struct.pack(
            local_fmt, b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(data), size, len(raw_name), 0
        )
        out += raw_name + data
        fields = (crc, len(data), size, len(raw_name), 0, 0, 0, 0, 0, offset)
        central += struct.pack(central_fmt, b"PK\x01\x02", 20, 20, 0x800, 8, 0, 0x21, *fields)
        central += raw_name
    count = len(entries)
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    return bytes(out + central + eocd)


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def xlsx_bomb_bytes(size: int = GiB) -> bytes:
    """A real workbook whose first sheet is replaced by `size` spaces (blank XML), its sizes
    and CRC true: about a MB that inflates to a GiB."""
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes())) as zf:
        entries = [
            (info.filename, *_deflated(zf.read(info)))
            for info in zf.infolist()
            if info.filename != "xl/worksheets/sheet1.xml"
        ]
    data, crc = zeros_deflate(size, b" ")
    return raw_zip([*entries, ("xl/worksheets/sheet1.xml", data, crc, size)])


# --- PDF ------------------------------------------------------------------------------------------


def raw_pdf(path: Path, objects: list[bytes], *, root: int = 1) -> Path:
    """Write numbered objects (1, 2, ...) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def stream(data: bytes, extra: bytes = b"", *, flate: bool = True) -> bytes:
    body = zlib.compress(data) if flate else data
    filt = b" /Filter /FlateDecode" if flate else b""
    return b"<< /Length %d%s %s >>\nstream\n" % (len(body), filt, extra) + body + b"\nendstream"


def one_page_pdf(
    path: Path,
    *,
    catalog: bytes = b"",
    page: bytes = b"",
    resources: bytes = b"",
    extra: tuple[bytes, ...] = (),
) -> Path:
    """Catalog 1, pages 2, page 3, contents 4, font 5, then `extra` objects from 6 on."""
    content = b"BT /F1 12 Tf 72 720 Td (Materials) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> "
        + resources
        + b" >> /Contents 4 0 R "
        + page
        + b" >>",
        stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *extra,
    ]
    return raw_pdf(path, objects)


def zeros_zlib_stream(size: int) -> bytes:
    """A /FlateDecode stream object whose data inflates to `size` zero bytes."""
    raw, _crc = zeros_deflate(size)
    adler = ((size % 65521) << 16) | 1  # Adler-32 of zeros: a stays 1, b counts the bytes
    data = b"\x78\xda" + raw + adler.to_bytes(4, "big")
    return (
        b"<< /Type /XObject /Subtype /Image /Width 65536 /Height %d /BitsPerComponent 8 "
        b"/ColorSpace /DeviceGray /Length %d /Filter /FlateDecode >>\nstream\n"
        % (size // 65536, len(data))
        + data
        + b"\nendstream"
    )


def heavy_operators(reps: int, salt: int = 0) -> bytes:
    """Content with 14 tokens per repetition, which pypdf reads one by one for the text."""
    return b"BT /F1 12 Tf 1 0 0 1 %d 10 Tm (abc) Tj ET\n" % salt * reps


def slow_pdf(path: Path, *, pages: int = 200, reps: int = 50_000, distinct: bool = False) -> Path:
    """The slow PDF of issue 16: `pages` pages drawing one heavy content stream (or, with
    `distinct`, each its own), a few dozen KB on disk."""
    streams = pages if distinct else 1
    first_page = 4 + streams
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    objects += [stream(heavy_operators(reps, salt)) for salt in range(streams)]
    for i in range(pages):
        content = 4 + (i if distinct else 0)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content
        )
    return raw_pdf(path, objects)
