"""Text extraction: real .docx, .pptx, .pdf and .txt files built in tmp_path, and hostile ones."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from docx import Document
from pptx import Presentation
from pptx.util import Inches

from banzu.similarity.extract import Extracted, Segment, extract, iter_documents
from tests.uploads.samples import BILLION_LAUGHS, make_heavy_pdf, rewrite_zip

MiB = 1024 * 1024


def _segments(*items: tuple[int, int, str]) -> tuple[Segment, ...]:
    return tuple(Segment(start, end, where) for start, end, where in items)


def _failed(reason: str) -> Extracted:
    return Extracted(text="", segments=(), error=reason)


# --- builders ------------------------------------------------------------------------------------


def _make_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A PDF whose pages show the given lines, in a CID font with a ToUnicode map (so any
    character, Chinese included, reads back exactly; no glyphs are needed to extract text)."""
    chars = sorted({c for page in pages for line in page for c in line})
    code = {c: number for number, c in enumerate(chars, start=1)}
    cmap = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        f"{len(code)} beginbfchar",
        *(f"<{n:04X}> <{c.encode('utf-16-be').hex().upper()}>" for c, n in code.items()),
        "endbfchar endcmap CMapName currentdict /CMap defineresource pop end end",
    ]
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(len(pages)))
    objects = {
        1: "<< /Type /Catalog /Pages 2 0 R >>",
        2: f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>",
        3: "<< /Type /Font /Subtype /Type0 /BaseFont /Test /Encoding /Identity-H "
        "/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        4: "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Test /CIDSystemInfo "
        "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 >>",
        5: _stream("\n".join(cmap)),
    }
    for i, lines in enumerate(pages):
        shows = (
            f"BT /F1 12 Tf 50 {800 - 20 * j} Td <{''.join(f'{code[c]:04X}' for c in line)}> Tj ET"
            for j, line in enumerate(lines)
        )
        objects[6 + 2 * i] = (
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {7 + 2 * i} 0 R >>"
        )
        objects[7 + 2 * i] = _stream("\n".join(shows))
    return _write_pdf(path, [objects[n].encode() for n in sorted(objects)])


def _stream(content: str) -> str:
    return f"<< /Length {len(content.encode())} >>\nstream\n{content}\nendstream"


def _write_pdf(path: Path, objects: list[bytes]) -> Path:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def _make_slow_pdf(path: Path, operators: int = 2_000_000) -> Path:
    """A valid 20 KB PDF whose one page draws two million strings: pypdf needs many seconds."""
    content = zlib.compress(b"BT /F1 12 Tf " + b"(a) Tj " * operators + b"ET\n", 9)
    return _write_pdf(
        path,
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
            + content
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ],
    )


def _deflated_zeros(mebibytes: int) -> bytes:
    """Raw deflate data of `mebibytes` MiB of zeros, built without inflating anything: after a
    full flush the compressor starts afresh, so every MiB compresses to the same block."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(bytes(MiB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return block * mebibytes + compressor.flush()


def _write_raw_zip(path: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip of (name, raw deflate data, crc, declared size): the sizes can lie."""
    out = bytearray()
    central = bytearray()
    for name, data, crc, size in entries:
        offset = len(out)
        encoded = name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded))
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields, 0) + encoded + data
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset)
        central += encoded
    count = len(entries)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


def _docx_bomb(path: Path, base: Path, *, data: bytes, declared: int) -> Path:
    """The parts of a real .docx, its word/document.xml replaced by `data` declaring `declared`."""
    entries = []
    with zipfile.ZipFile(base) as zf:
        for info in zf.infolist():
            if info.filename == "word/document.xml":
                entries.append((info.filename, data, 0, declared))
                continue
            raw = zf.read(info)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            deflated = compressor.compress(raw) + compressor.flush()
            entries.append((info.filename, deflated, zlib.crc32(raw), len(raw)))
    return _write_raw_zip(path, entries)


def _small_docx(path: Path) -> Path:
    document = Document()
    document.add_paragraph("申请书")
    document.save(str(path))
    return path


# --- .docx ---------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_cells_in_document_order(tmp_path):
    document = Document()
    document.add_paragraph("一、班组概况 Team\toverview")
    document.add_paragraph("")  # counted as a paragraph of the document, but no segment
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "岗位"
    table.cell(1, 1).text = "质量员\n张三"
    run = document.add_paragraph("二、主要做法").add_run()
    run.add_break()
    run.add_text("第二行")
    document.save(str(tmp_path / "a.docx"))

    extracted = extract(tmp_path / "a.docx")

    assert extracted == Extracted(
        text="一、班组概况 Team\toverview\n姓名\n岗位\n质量员\n张三\n二、主要做法\n第二行",
        segments=_segments(
            (0, 20, "paragraph 1"),
            (21, 23, "table 1, row 1, cell 1"),
            (24, 26, "table 1, row 1, cell 2"),
            (27, 33, "table 1, row 2, cell 2"),
            (34, 44, "paragraph 3"),
        ),
    )


def test_docx_tracked_deletions_and_tab_stops_are_not_text(tmp_path):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        f"<w:document {w}><w:body><w:p>"
        '<w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>'
        "<w:r><w:t>保留</w:t></w:r>"
        "<w:del><w:r><w:delText>删除的</w:delText><w:tab/></w:r></w:del>"
        "<w:ins><w:r><w:t>插入的</w:t></w:r></w:ins>"
        "</w:p></w:body></w:document>"
    )
    base = _small_docx(tmp_path / "base.docx")
    rewrite_zip(base, tmp_path / "a.docx", replace={"word/document.xml": body.encode()})

    extracted = extract(tmp_path / "a.docx")

    assert extracted == Extracted(text="保留插入的", segments=_segments((0, 5, "paragraph 1")))


def test_docx_text_box_is_read_once_not_from_its_fallback_copy(tmp_path):
    namespaces = (
        'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    )
    box = "<w:txbxContent><w:p><w:r><w:t>框内文字</w:t></w:r></w:p></w:txbxContent>"
    body = (
        f"<w:document {namespaces}><w:body><w:p><w:r><w:t>第一段</w:t></w:r></w:p><w:p>"
        f"<w:r><w:t>锚定段</w:t></w:r><w:r><mc:AlternateContent><mc:Choice>{box}</mc:Choice>"
        f"<mc:Fallback>{box}</mc:Fallback></mc:AlternateContent></w:r>"
        "</w:p></w:body></w:document>"
    )
    base = _small_docx(tmp_path / "base.docx")
    rewrite_zip(base, tmp_path / "a.docx", replace={"word/document.xml": body.encode()})

    extracted = extract(tmp_path / "a.docx")

    assert extracted == Extracted(
        text="第一段\n框内文字\n锚定段",
        segments=_segments(
            (0, 3, "paragraph 1"), (4, 8, "text box in paragraph 2"), (9, 12, "paragraph 2")
        ),
    )


def test_docx_without_text_is_reported(tmp_path):
    Document().save(str(tmp_path / "blank.docx"))

    assert extract(tmp_path / "blank.docx") == _failed("no text found")


def test_docx_not_a_zip_is_reported(tmp_path):
    (tmp_path / "a.docx").write_bytes(b"this is not a zip file")

    extracted = extract(tmp_path / "a.docx")

    assert extracted == _failed("could not read the Word file: File is not a zip file")


def test_docx_with_a_dtd_is_refused(tmp_path):
    base = _small_docx(tmp_path / "base.docx")
    rewrite_zip(base, tmp_path / "laughs.docx", replace={"word/document.xml": BILLION_LAUGHS})

    extracted = extract(tmp_path / "laughs.docx")

    assert extracted == _failed(
        "could not read the file: it contains a DTD, which Office never writes"
    )


def test_docx_zip_bomb_is_refused_before_inflating(tmp_path):
    # 2 GiB of zeros in about 2 MB on disk, declared honestly in the zip directory.
    base = _small_docx(tmp_path / "base.docx")
    bomb = _docx_bomb(tmp_path / "bomb.docx", base, data=_deflated_zeros(2048), declared=2**31)

    extracted = extract(bomb)

    assert extracted == _failed("too large when uncompressed")


def test_docx_zip_bomb_lying_about_its_size_stops_at_the_declared_size(tmp_path):
    # Declares 1 KiB but inflates to 200 MiB: zipfile stops at the declared size, and the data
    # then fails its checksum.
    base = _small_docx(tmp_path / "base.docx")
    bomb = _docx_bomb(tmp_path / "liar.docx", base, data=_deflated_zeros(200), declared=1024)

    extracted = extract(bomb)

    assert extracted == _failed(
        "could not read the Word file: Bad CRC-32 for file 'word/document.xml'"
    )


def test_docx_larger_than_the_limit_is_refused(tmp_path):
    document = Document()
    for _ in range(500):
        document.add_paragraph("质量管理小组活动成果。" * 100)
    document.save(str(tmp_path / "large.docx"))

    assert extract(tmp_path / "large.docx", max_uncompressed_mb=1) == _failed(
        "too large when uncompressed"
    )
    assert extract(tmp_path / "large.docx").error is None


def test_docx_of_millions_of_empty_elements_is_stopped_in_time(tmp_path):
    # Legal XML, 18 MB of <w:x/>: walking it takes seconds, so the time limit stops it.
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = f"<w:document {w}><w:body><w:p>".encode() + b"<w:x/>" * 3_000_000
    body += b"</w:p></w:body></w:document>"
    base = _small_docx(tmp_path / "base.docx")
    rewrite_zip(base, tmp_path / "slow.docx", replace={"word/document.xml": body})

    extracted = extract(tmp_path / "slow.docx", timeout_s=0.2)

    assert extracted == _failed("the Word file took longer than 0.2 s to read")


def test_docx_with_too_many_zip_entries_is_refused(tmp_path):
    base = _small_docx(tmp_path / "base.docx")
    crowded = rewrite_zip(
        base, tmp_path / "crowded.docx", add=[(f"media/{n}.bin", b"") for n in range(10_001)]
    )

    assert extract(crowded) == _failed("could not read the file: more than 10000 zip entries")


# --- .pptx ---------------------------------------------------------------------------------------


def test_pptx_text_frames_and_tables_slide_by_slide(tmp_path):
    presentation = Presentation()
    first = presentation.slides.add_slide(presentation.slide_layouts[1])
    first.shapes.title.text = "班组简介"
    first.placeholders[1].text = "要点一\n要点二"
    presentation.slides.add_slide(presentation.slide_layouts[6])  # no text at all
    third = presentation.slides.add_slide(presentation.slide_layouts[6])
    box = third.shapes.add_textbox(Inches(1), Inches(1), Inches(4), Inches(1))
    box.text_frame.text = "Quality 质量"
    table = third.shapes.add_table(2, 2, Inches(1), Inches(3), Inches(4), Inches(2)).table
    table.cell(0, 0).text = "项目"
    table.cell(1, 1).text = "成效"
    presentation.save(str(tmp_path / "a.pptx"))

    extracted = extract(tmp_path / "a.pptx")

    assert extracted == Extracted(
        text="班组简介\n要点一\n要点二\nQuality 质量\n项目\n成效",
        segments=_segments((0, 12, "slide 1"), (13, 29, "slide 3")),
    )


def test_pptx_zip_bomb_is_refused(tmp_path):
    presentation = Presentation()
    presentation.slides.add_slide(presentation.slide_layouts[6])
    presentation.save(str(tmp_path / "base.pptx"))
    entries = []
    with zipfile.ZipFile(tmp_path / "base.pptx") as zf:
        for info in zf.infolist():
            raw = zf.read(info)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
            deflated = compressor.compress(raw) + compressor.flush()
            if info.filename == "ppt/slides/slide1.xml":
                entries.append((info.filename, _deflated_zeros(512), 0, 512 * MiB))
            else:
                entries.append((info.filename, deflated, zlib.crc32(raw), len(raw)))
    bomb = _write_raw_zip(tmp_path / "bomb.pptx", entries)

    assert extract(bomb) == _failed("too large when uncompressed")


# --- .pdf ----------------------------------------------------------------------------------------


def test_pdf_text_page_by_page(tmp_path):
    pdf = _make_pdf(
        tmp_path / "a.pdf",
        [["第一页 first page", "质量管理"], [], ["第三页 page three"]],
    )

    extracted = extract(pdf)

    assert extracted == Extracted(
        text="第一页 first page\n质量管理\n第三页 page three",
        segments=_segments((0, 19, "page 1"), (20, 34, "page 3")),
    )


def test_pdf_broken_is_reported(tmp_path):
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")

    extracted = extract(tmp_path / "broken.pdf")

    assert extracted == _failed("could not read the PDF: Stream has ended unexpectedly")


def test_pdf_that_never_ends_parsing_is_stopped(tmp_path):
    pdf = _make_slow_pdf(tmp_path / "slow.pdf")

    extracted = extract(pdf, timeout_s=1.0)

    assert extracted == _failed("the PDF took longer than 1 s to read")


def test_pdf_timeout_is_reported_for_any_pdf(tmp_path):
    pdf = _make_pdf(tmp_path / "a.pdf", [["第一页"], ["第二页"], ["第三页"]])

    assert extract(pdf, timeout_s=0.05) == _failed("the PDF took longer than 0.05 s to read")


def test_pdf_needing_too_much_memory_is_stopped(tmp_path):
    # Extracting this page's text takes about 170 MB of address space.
    pdf = make_heavy_pdf(tmp_path / "heavy.pdf")

    extracted = extract(pdf, memory_mb=100)

    assert extracted == _failed("could not read the PDF: it needs more than 100 MB of memory")


# --- .txt ----------------------------------------------------------------------------------------


def test_txt_is_kept_unchanged_with_bom_and_crlf(tmp_path):
    text = "\ufeff第一行 line\r\n\r\n  \r\n第四行\n"
    (tmp_path / "a.txt").write_bytes(text.encode("utf-8"))

    extracted = extract(tmp_path / "a.txt")

    assert extracted == Extracted(
        text=text, segments=_segments((0, 9, "line 1"), (17, 20, "line 4"))
    )


def test_txt_invalid_utf8_is_reported(tmp_path):
    (tmp_path / "gbk.txt").write_bytes("质量管理".encode("gbk"))

    assert extract(tmp_path / "gbk.txt") == _failed("not valid UTF-8 text")


def test_txt_whitespace_only_has_no_text(tmp_path):
    (tmp_path / "blank.txt").write_bytes(b" \r\n\t\n")

    assert extract(tmp_path / "blank.txt") == _failed("no text found")


def test_txt_five_megabyte_single_line(tmp_path):
    text = "质" * (5 * MiB // 3)
    (tmp_path / "line.txt").write_text(text, encoding="utf-8")

    extracted = extract(tmp_path / "line.txt")

    assert extracted == Extracted(text=text, segments=_segments((0, len(text), "line 1")))


# --- any type ------------------------------------------------------------------------------------


def test_empty_file_is_reported_for_every_type(tmp_path):
    for name in ("a.docx", "a.pdf", "a.pptx", "a.txt"):
        (tmp_path / name).write_bytes(b"")

    results = [extract(tmp_path / name) for name in ("a.docx", "a.pdf", "a.pptx", "a.txt")]

    assert results == [_failed("the file is empty")] * 4


def test_unsupported_suffix_is_reported(tmp_path):
    (tmp_path / "sheet.XLSX").write_bytes(b"PK\x03\x04")

    assert extract(tmp_path / "sheet.XLSX") == _failed("unsupported file type .xlsx")


def test_missing_file_is_reported(tmp_path):
    extracted = extract(tmp_path / "gone.txt")

    assert extracted == _failed("could not open the file: No such file or directory")


def test_iter_documents_ids_sorted_and_filtered(tmp_path):
    for name in (
        "b.txt",
        "a/z.docx",
        "a/b/c.PDF",
        "a/~$z.docx",
        "a/.hidden.txt",
        ".git/x.txt",
        "a/notes.md",
        "slides.pptx",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")

    documents = list(iter_documents(tmp_path))

    assert documents == [
        ("a/b/c.PDF", tmp_path / "a/b/c.PDF"),
        ("a/z.docx", tmp_path / "a/z.docx"),
        ("b.txt", tmp_path / "b.txt"),
        ("slides.pptx", tmp_path / "slides.pptx"),
    ]
