"""Word files with DDE fields (issue 16, item 4): a DDE or DDEAUTO field makes Word offer to start
a program, so a .docx holding one (in the body, a header, a footer, a footnote, an embedded
document; whole, split across runs, in any case, hidden behind character references, CDATA,
comments or a nested field; in a part of any size) is refused as a link out ("external"); a
workbook's DDE link too. Ordinary fields (PAGE, TOC, HYPERLINK, DATE) pass."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from docx import Document
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from banzu.uploads import fields
from banzu.uploads.ooxml import check_package_file
from banzu.uploads.validation import (
    REJECTION_MESSAGES,
    FileKind,
    Limits,
    UploadRejected,
    validate_upload,
)
from tests.uploads import hostile, samples

LIMITS = Limits(max_bytes=30 * 1024 * 1024)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
COMMAND = 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'


def rejected_code(path: Path) -> str:
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(path, path.name, limits=LIMITS)
    assert excinfo.value.message == REJECTION_MESSAGES[excinfo.value.code]
    return excinfo.value.code


def accepted(path: Path) -> FileKind:
    return validate_upload(path, path.name, limits=LIMITS).kind


# --- building the files ----------------------------------------------------------------------


def run(inner: str) -> str:
    return f"<w:r>{inner}</w:r>"


def complex_field(*pieces: str, result: str = "1") -> str:
    """A field as Word writes it: begin, the instruction in one run per piece, separate, the
    shown result, end."""
    return "".join(
        [
            run('<w:fldChar w:fldCharType="begin"/>'),
            *(run(f'<w:instrText xml:space="preserve">{escape(p)}</w:instrText>') for p in pieces),
            run('<w:fldChar w:fldCharType="separate"/>'),
            run(f"<w:t>{escape(result)}</w:t>"),
            run('<w:fldChar w:fldCharType="end"/>'),
        ]
    )


def simple_field(instruction: str, result: str = "1") -> str:
    return f'<w:fldSimple w:instr="{escape(instruction, {chr(34): "&quot;"})}">' + (
        run(f"<w:t>{escape(result)}</w:t>") + "</w:fldSimple>"
    )


def paragraph(xml: str) -> str:
    return f"<w:p>{xml}</w:p>"


def into(element, xml: str) -> None:
    """Append the runs of `xml` to a python-docx paragraph element."""
    for piece in parse_xml(f"<w:p {nsdecls('w')}>{xml}</w:p>"):
        element.append(piece)


def docx(
    tmp_path: Path,
    name: str,
    *,
    body: str = "",
    header: str = "",
    footer: str = "",
    parts: tuple[tuple[str, bytes], ...] = (),
    defaults: dict[str, str] | None = None,
) -> Path:
    """A real python-docx document with `body` paragraphs (raw WordprocessingML) before its text,
    and fields in its header and footer."""
    document = Document()
    document.add_paragraph("班组材料 materials")
    if header:
        into(document.sections[0].header.paragraphs[0]._p, header)
    if footer:
        into(document.sections[0].footer.paragraphs[0]._p, footer)
    base = tmp_path / f"base-{name}"
    document.save(str(base))
    with zipfile.ZipFile(base) as zf:
        main = zf.read("word/document.xml").decode("utf-8")
    main = main.replace("<w:body>", "<w:body>" + body, 1)
    ct = samples.content_types(base)
    for ext, ctype in (defaults or {}).items():
        ct = ct.replace(
            "<Default ", f'<Default Extension="{ext}" ContentType="{ctype}"/><Default ', 1
        )
    return samples.rewrite_zip(
        base,
        tmp_path / name,
        replace={"word/document.xml": main.encode("utf-8"), samples.CT_NAME: ct.encode()},
        add=list(parts),
    )


def raw_document(path: Path, document_xml: bytes, target: Path) -> Path:
    return samples.rewrite_zip(path, target, replace={"word/document.xml": document_xml})


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        complex_field(COMMAND),
        complex_field(" DDE ", 'c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" "x"'),
        complex_field("  ", "D", "de", "AuTo", ' c:\\\\windows\\\\cmd.exe "/k calc"'),
        complex_field('"DDEAUTO" c:\\\\cmd.exe'),
        complex_field("ddeauto\\l cmd"),
        simple_field(f" {COMMAND} "),
        simple_field("dde cmd.exe x"),
        # The field's type made by a nested field: { { QUOTE 68 68 69 65 85 84 79 } cmd }
        run('<w:fldChar w:fldCharType="begin"/>')
        + complex_field(" QUOTE 68 68 69 65 85 84 79 ", result="DDEAUTO")
        + run('<w:instrText xml:space="preserve"> c:\\\\cmd.exe "/k calc"</w:instrText>')
        + run('<w:fldChar w:fldCharType="end"/>'),
        # Deleted instruction text (tracked changes): rejecting the deletion brings it back.
        run('<w:fldChar w:fldCharType="begin"/>')
        + run("<w:delInstrText>DDEAUTO cmd.exe</w:delInstrText>")
        + run('<w:fldChar w:fldCharType="end"/>'),
        # Instruction text outside the field marks.
        run("<w:instrText>DDEAUTO cmd.exe</w:instrText>"),
    ],
    ids=[
        "whole",
        "dde",
        "split-across-runs",
        "quoted",
        "lower-case-with-switch",
        "simple",
        "simple-dde",
        "nested-type",
        "deleted",
        "orphan",
    ],
)
def test_docx_with_a_dde_field_in_the_body_external(tmp_path: Path, field: str) -> None:
    path = docx(tmp_path, "dde.docx", body=paragraph(field))

    assert rejected_code(path) == "external"


@pytest.mark.parametrize(
    "instruction",
    [
        "&#68;&#x44;E&#65;UTO cmd.exe",  # character references
        "<![CDATA[DDEAUTO cmd.exe]]>",
        "DD<!-- a comment -->EAUTO<?pi x?> cmd.exe",
    ],
    ids=["character-references", "cdata", "comment-and-pi"],
)
def test_docx_with_a_dde_field_in_xml_disguise_external(tmp_path: Path, instruction: str) -> None:
    field = (
        run('<w:fldChar w:fldCharType="begin"/>')
        + run(f"<w:instrText>{instruction}</w:instrText>")
        + run('<w:fldChar w:fldCharType="end"/>')
    )
    path = docx(tmp_path, "disguised.docx", body=paragraph(field))

    assert rejected_code(path) == "external"


def test_docx_with_a_dde_field_in_the_header_external(tmp_path: Path) -> None:
    path = docx(tmp_path, "header.docx", header=complex_field(COMMAND))

    assert rejected_code(path) == "external"


def test_docx_with_a_dde_field_in_the_footer_external(tmp_path: Path) -> None:
    path = docx(tmp_path, "footer.docx", footer=simple_field(COMMAND))

    assert rejected_code(path) == "external"


def test_docx_with_a_dde_field_in_a_footnote_external(tmp_path: Path) -> None:
    footnotes = (
        f'<w:footnotes xmlns:w="{W}"><w:footnote w:id="1">'
        + paragraph(complex_field("DDE", "AUTO cmd.exe"))
        + "</w:footnote></w:footnotes>"
    ).encode()
    base = docx(tmp_path, "base.docx")
    with zipfile.ZipFile(base) as zf:
        rels = zf.read("word/_rels/document.xml.rels")
    ct = samples.content_types(base).replace(
        "</Types>",
        f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_TYPE}"/></Types>',
    )
    path = samples.rewrite_zip(
        base,
        tmp_path / "footnote.docx",
        replace={
            samples.CT_NAME: ct.encode(),
            "word/_rels/document.xml.rels": hostile.with_rels(
                rels, ("footnotes", "footnotes.xml", None)
            ),
        },
        add=[("word/footnotes.xml", footnotes)],
    )

    assert rejected_code(path) == "external"


def test_docx_in_utf16_with_a_dde_field_external(tmp_path: Path) -> None:
    base = docx(tmp_path, "base.docx", body=paragraph(complex_field(COMMAND)))
    with zipfile.ZipFile(base) as zf:
        text = zf.read("word/document.xml").decode("utf-8")
    declaration = text[: text.index("?>")]
    assert "UTF-8" in declaration
    text = text.replace(declaration, declaration.replace("UTF-8", "UTF-16"), 1)
    path = raw_document(base, text.encode("utf-16"), tmp_path / "utf16.docx")

    assert rejected_code(path) == "external"


class DeferringParser:
    """Expat as from 2.6 it may behave where Python cannot switch that off: a Parse call now and
    then only keeps its data, parsed with the next one (reparse deferral)."""

    def __init__(self, real) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_kept", b"")
        object.__setattr__(self, "_calls", 0)

    def Parse(self, data, final=False):
        object.__setattr__(self, "_calls", self._calls + 1)
        kept = self._kept + bytes(data)
        if self._calls % 2 and not final:
            object.__setattr__(self, "_kept", kept)
            return 1
        object.__setattr__(self, "_kept", b"")
        return self._real.Parse(kept, final)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __setattr__(self, name, value):
        setattr(self._real, name, value)


@pytest.fixture(params=["expat", "deferring expat"])
def expat(request, monkeypatch):
    if request.param == "deferring expat":
        create = fields.pyexpat.ParserCreate
        monkeypatch.setattr(
            fields.pyexpat, "ParserCreate", lambda *a, **k: DeferringParser(create(*a, **k))
        )
    return request.param


@pytest.mark.parametrize(
    "field",
    [
        complex_field("  ", "D", "de", "AuTo", " cmd.exe"),
        simple_field(f" {COMMAND} "),
        run('<w:fldChar w:fldCharType="begin"/>')
        + run("<w:delInstrText>DDEAUTO cmd.exe</w:delInstrText>")
        + run('<w:fldChar w:fldCharType="end"/>'),
    ],
    ids=["split", "simple", "deleted"],
)
def test_docx_with_a_dde_field_among_many_ordinary_ones_external(
    tmp_path: Path, expat: str, field: str
) -> None:
    """The scanner reads with its element handlers off between fields: the DDE field among
    hundreds of others, whichever way expat cuts its reading."""
    ordinary = paragraph(complex_field(" PAGE ") + run("<w:t>正文</w:t>")) * 400
    path = docx(tmp_path, "many.docx", body=ordinary + paragraph(field) + ordinary)

    with pytest.raises(UploadRejected) as excinfo:
        check_package_file(path, {samples.DOCX_MAIN}, LIMITS)
    assert excinfo.value.code == "external"


def test_docx_with_a_dde_field_after_megabytes_of_text_external(tmp_path: Path, expat: str) -> None:
    """The field far into a large part, its pieces where the scanner reads without looking at
    every element: after 4 MB of paragraphs; "DD" behind 200 KB of blanks and comments and before
    100 KB of comments, far from its element's tags; "EAUTO" in an element whose start tag is over
    a MiB long and whose end is 100 KB further."""
    filler = paragraph(run("<w:t>质量信得过班组 quality team</w:t>")) * 50_000
    blanks = (" " * 1000 + "<!--x-->") * 200
    comments = ("<!--" + "x" * 1000 + "-->") * 100
    field = (
        run('<w:fldChar w:fldCharType="begin"/>')
        + run(f'<w:instrText xml:space="preserve">{blanks}DD{comments}</w:instrText>')
        + run(
            f'<w:instrText xmlns:x="urn:x" x:pad="{"p" * 1_200_000}" '
            f'xml:space="preserve">EAUTO cmd.exe{comments}</w:instrText>'
        )
        + run('<w:fldChar w:fldCharType="end"/>')
    )
    path = docx(tmp_path, "large.docx", body=filler + paragraph(field))
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("word/document.xml").file_size > 4 * samples.MiB

    with pytest.raises(UploadRejected) as excinfo:  # the filler compresses 300 to 1
        check_package_file(path, {samples.DOCX_MAIN}, Limits(LIMITS.max_bytes, max_ratio=1000))
    assert excinfo.value.code == "external"


class CountingParser:
    """Expat, counting what it is given."""

    def __init__(self, real, calls: list[int]) -> None:
        object.__setattr__(self, "_real", real)
        object.__setattr__(self, "_calls", calls)

    def Parse(self, data, final=False):
        self._calls.append(len(data))
        return self._real.Parse(data, final)

    def __getattr__(self, name):
        return getattr(self._real, name)

    def __setattr__(self, name, value):
        setattr(self._real, name, value)


def comment_docx(tmp_path: Path, name: str, megabytes: int) -> Path:
    """A document with a comment of `megabytes` MiB, a "<" in every hundred bytes of it."""
    comment = "<!--" + ("x" * 99 + "<") * (megabytes * samples.MiB // 100) + "-->"
    return docx(tmp_path, name, body=comment + paragraph(complex_field(COMMAND)))


def test_a_long_comment_is_given_to_expat_in_few_pieces(tmp_path: Path, monkeypatch) -> None:
    """Expat before 2.6 reads an unfinished token again from its start with every piece: a 24 MiB
    comment in the 64 KiB pieces it streams in would cost hundreds of readings of up to 24 MiB.
    The scanner waits until as much again has come, so the pieces grow and the work stays
    linear."""
    path = comment_docx(tmp_path, "comment.docx", 24)
    calls: list[int] = []
    create = fields.pyexpat.ParserCreate
    monkeypatch.setattr(
        fields.pyexpat, "ParserCreate", lambda *a, **k: CountingParser(create(*a, **k), calls)
    )

    with pytest.raises(UploadRejected) as excinfo:  # the comment compresses 100 to 1
        check_package_file(path, {samples.DOCX_MAIN}, Limits(LIMITS.max_bytes, max_ratio=1000))

    assert excinfo.value.code == "external"  # read to its end
    with zipfile.ZipFile(path) as zf:
        part = zf.getinfo("word/document.xml").file_size
    big = [size for size in calls if size > 100_000]
    assert sum(calls) > part - 1000  # the document, to the field that is refused
    assert len(big) <= 12
    assert sum(big) > 20 * samples.MiB


def test_a_token_over_32_mib_parse(tmp_path: Path) -> None:
    path = comment_docx(tmp_path, "huge-comment.docx", 40)

    with pytest.raises(UploadRejected) as excinfo:
        check_package_file(path, {samples.DOCX_MAIN}, Limits(LIMITS.max_bytes, max_ratio=1000))
    assert excinfo.value.code == "parse"


def test_docx_embedding_a_document_with_a_dde_field_external(tmp_path: Path) -> None:
    inner = docx(tmp_path, "inner.docx", body=paragraph(complex_field(COMMAND)))
    path = docx(
        tmp_path,
        "outer.docx",
        parts=(("word/embeddings/Microsoft_Word_Document.docx", inner.read_bytes()),),
        defaults={"docx": DOCX_TYPE},
    )

    assert rejected_code(path) == "external"


def test_docx_embedding_a_workbook_with_a_dde_link_external(tmp_path: Path) -> None:
    link = (
        b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<ddeLink ddeService="cmd" ddeTopic="/c calc"><ddeItems>'
        b'<ddeItem name="A0" advise="1"/></ddeItems></ddeLink></externalLink>'
    )
    workbook = tmp_path / "book.xlsx"
    workbook.write_bytes(hostile.xlsx_bytes())
    linked = samples.rewrite_zip(
        workbook, tmp_path / "dde.xlsx", add=[("xl/externalLinks/externalLink1.xml", link)]
    )
    path = docx(
        tmp_path,
        "chart.docx",
        parts=(("word/embeddings/Microsoft_Excel_Worksheet.xlsx", linked.read_bytes()),),
        defaults={"xlsx": hostile.XLSX_TYPE},
    )

    assert rejected_code(path) == "external"


def test_docx_with_fields_nested_beyond_any_real_depth_parse(tmp_path: Path) -> None:
    begins = run('<w:fldChar w:fldCharType="begin"/><w:instrText>IF 1 = 1 </w:instrText>') * 65
    path = docx(tmp_path, "deep.docx", body=paragraph(begins))

    assert rejected_code(path) == "parse"


# --- accepted --------------------------------------------------------------------------------


def test_docx_with_ordinary_fields_accepted(tmp_path: Path) -> None:
    body = "".join(
        [
            paragraph(complex_field(' TOC \\o "1-3" \\h \\z \\u ', result="目录")),
            paragraph(complex_field(" HYPER", 'LINK "https://example.org/dde" ', result="链接")),
            paragraph(simple_field(' DATE \\@ "yyyy-MM-dd" ', result="2026-12-07")),
            paragraph(complex_field(" DDEX ", result="x")),  # not DDE: another word
            paragraph(complex_field(" IF ", "1 = 1 ", result="是")),
            paragraph(run("<w:t>DDEAUTO c:\\cmd.exe is only text here</w:t>")),
            # A TOC's result holds HYPERLINK and PAGEREF fields of its own.
            paragraph(
                run('<w:fldChar w:fldCharType="begin"/>')
                + run('<w:instrText xml:space="preserve"> TOC \\o "1-3" </w:instrText>')
                + run('<w:fldChar w:fldCharType="separate"/>')
                + complex_field(" PAGEREF _Toc1 \\h ", result="3")
                + run('<w:fldChar w:fldCharType="end"/>')
            ),
        ]
    )
    path = docx(
        tmp_path,
        "fields.docx",
        body=body,
        header=simple_field(" PAGE "),
        footer=complex_field(" PAGE ") + complex_field(" NUMPAGES "),
    )

    assert accepted(path) == FileKind.DOCX


def test_docx_with_a_blank_xml_part_accepted(tmp_path: Path) -> None:
    path = docx(tmp_path, "blank.docx", parts=(("customXml/item9.xml", b"   "),))

    assert accepted(path) == FileKind.DOCX


def test_docx_with_malformed_document_xml_parse(tmp_path: Path) -> None:
    base = docx(tmp_path, "base.docx")
    with zipfile.ZipFile(base) as zf:
        text = zf.read("word/document.xml")
    path = raw_document(base, text.replace(b"</w:body>", b"</w:bdy>"), tmp_path / "bad.docx")

    assert rejected_code(path) == "parse"


def document_xml(body: str) -> bytes:
    return f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'.encode()


def test_an_instruction_whose_tag_is_cut_between_two_pieces_external() -> None:
    """The skim before expat looks across the pieces a part streams in: an instruction text (its
    field's marks renamed, so that nothing else in the part starts the parse) cut at each letter
    of its tag's name is still found."""
    part = document_xml(paragraph(run("<w:t>正文</w:t>")) * 50 + paragraph(complex_field(COMMAND)))
    part = part.replace(b"fldChar", b"fieldChar")
    where = part.index(b"instrText")
    for cut in range(where, where + len("instrText") + 1):
        with pytest.raises(UploadRejected) as excinfo:
            for _ in fields.scan_fields(iter([part[:cut], part[cut:]]), "word/document.xml"):
                pass
        assert excinfo.value.code == "external", cut


def test_a_part_without_any_field_is_never_given_to_expat(monkeypatch) -> None:
    """Styles and themes (most of a document's XML) hold no field: one search over them, no
    parse. A part with an ordinary field is parsed."""
    calls: list[int] = []
    create = fields.pyexpat.ParserCreate
    monkeypatch.setattr(
        fields.pyexpat, "ParserCreate", lambda *a, **k: CountingParser(create(*a, **k), calls)
    )
    styles = document_xml(paragraph(run("<w:t>质量信得过班组</w:t>")) * 5000)
    list(fields.scan_fields(iter([styles[:70_000], styles[70_000:]]), "word/styles.xml"))
    assert calls == []

    with_field = document_xml(paragraph(complex_field(" PAGE ")))
    list(fields.scan_fields(iter([with_field]), "word/footer1.xml"))
    assert sum(calls) == len(with_field)
