"""The three renderers on hand-built documents: Word, PDF and Excel read back. No database."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import docx as python_docx
import pytest
from django.conf import settings
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from lxml import etree
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from pypdf import PdfReader

from banzu.documents import docx, fonts, pdf, xlsx
from banzu.documents.model import (
    Cell,
    Document,
    Line,
    Para,
    Table,
    blank,
    label,
    paragraphs,
    value,
)

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
A4_PT = (595.28, 841.89)
MM_PT = 72 / 25.4

# A form in miniature: title, a line, a four-column table with a header row, a colspan, an int,
# a Decimal with a number format, a character outside GB 2312 (喆) and an empty cell.
FORM = Document(
    title="测试申报表",
    blocks=(
        Para("质量信得过班组测试申报表", "title", "center"),
        Line("推荐编号", "杭-2026-007", "推荐单位", "杭州市建筑业协会"),
        Table(
            widths=(20.0, 30.0, 20.0, 30.0),
            header_rows=1,
            rows=(
                (label("项目"), label("内容"), label("项目"), label("内容")),
                (label("班组名称"), value("喆堃钢筋精加工班", colspan=3)),
                (
                    label("班组人数"),
                    value(23, align="center"),
                    label("推荐单位评分"),
                    value(Decimal("91.50"), number_format="0.00"),
                ),
                (label("主管部门"), value(None), label("联系人"), value("")),
            ),
        ),
    ),
    sheet_name="测试",
)

SUMMARY = Document(
    title="测试汇总表",
    blocks=(
        Para("测试汇总表", "title", "center"),
        Table(
            widths=(6.0, 30.0, 12.0),
            header_rows=1,
            rows_can_split=False,
            rows=(
                (label("序号"), label("单位名称"), label("评分")),
                (value(1), value("浙江甲建设有限公司"), value(Decimal("88.25"))),
            ),
        ),
    ),
    landscape=True,
)

ENDING = "全文至此结束，末句为核对文字完整而写。"
LONG_NAME = "浙江省" + "质量信得过班组建设工程有限公司" * 5 + "钢筋班"  # 81 characters
LONG_LATIN = "ABCDEFGHIJ" * 6  # 60 characters, no spaces


def long_narrative() -> str:
    sentence = "班组坚持每日班前会，开展质量自检、互检和专检，运用QC七大手法分析钢筋加工偏差原因。"
    parts: list[str] = []
    while sum(len(part) for part in parts) < 12000:
        parts.append(f"第{len(parts) + 1}段：" + sentence * 4)
    parts.append(ENDING)
    return "\n".join(parts)


NARRATIVE = long_narrative()


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def mm(length) -> float:
    """A Word length in millimetres, to 0.1 mm (Word stores twips, so 210 mm reads 210.01)."""
    return round(length.mm, 1)


def reopen_docx(content: bytes):
    return python_docx.Document(io.BytesIO(content))


def distinct_cells(row) -> list:
    """The row's cells once each: python-docx repeats a merged cell for every grid column."""
    seen: list = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def page_fonts(reader: PdfReader) -> dict[str, object]:
    """BaseFont name → descendant font descriptor, over every page."""
    found: dict[str, object] = {}
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            for descendant in font["/DescendantFonts"]:
                descendant = descendant.get_object()
                found[str(descendant["/BaseFont"]).lstrip("/")] = descendant[
                    "/FontDescriptor"
                ].get_object()
    return found


def page_fonts_any(reader: PdfReader) -> set[str]:
    """Every font a PDF's pages use, simple or composite."""
    return {
        str(ref.get_object()["/BaseFont"]).lstrip("/")
        for page in reader.pages
        for ref in page["/Resources"]["/Font"].values()
    }


@pytest.fixture(scope="module")
def font_set() -> fonts.FontSet:
    return fonts.prepare(settings.DOCUMENT_FONT_DIR)


@pytest.fixture(scope="module")
def form_pdf(font_set) -> bytes:
    return pdf.render(FORM, font_set)


@pytest.fixture(scope="module")
def narrative_pdf(font_set) -> bytes:
    document = Document(
        title="长文",
        blocks=(Table(widths=(1.0,), rows=((Cell(paragraphs(NARRATIVE), valign="top"),),)),),
    )
    return pdf.render(document, font_set)


LONG_NAMES = Document(
    title="长名称",
    blocks=(
        Table(
            widths=(50.0, 50.0),
            rows=(
                (label("单位名称"), value(LONG_NAME)),
                (label("英文名称"), value(LONG_LATIN)),
            ),
        ),
    ),
)


@pytest.fixture(scope="module")
def long_names_pdf(font_set, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "long-names.pdf"
    path.write_bytes(pdf.render(LONG_NAMES, font_set))
    return path


# --- The neutral model ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, ""),
        ("", ""),
        (Decimal("98.50"), "98.5"),
        (Decimal("100.00"), "100"),
        (Decimal("0.00"), "0"),
        (0, "0"),
        (23, "23"),
        ("钢筋班", "钢筋班"),
    ],
)
def test_blank_gives_the_form_text(raw, text):
    assert blank(raw) == text


def test_value_of_none_is_an_empty_cell():
    cell = value(None)

    assert (cell.content, cell.text, cell.typed_value) == ((), "", None)


def test_table_rejects_a_row_whose_colspans_do_not_add_up():
    with pytest.raises(ValueError, match="row 2 spans 3 columns, the table has 4"):
        Table(
            widths=(1.0, 1.0, 1.0, 1.0),
            rows=((value("a", colspan=4),), (value("b"), value("c", colspan=2))),
        )


# --- Fonts ------------------------------------------------------------------------------------


def test_reduced_charset_holds_gb2312_latin_and_punctuation_but_not_rare_hanzi():
    charset = fonts.reduced_charset()

    present = {ch: ord(ch) in charset for ch in "ASCII中，①□喆堃"}
    assert present == {
        "A": True,
        "S": True,
        "C": True,
        "I": True,
        "中": True,
        "，": True,
        "①": True,
        "□": True,
        "喆": False,
        "堃": False,
    }
    assert len(charset) > 6763


def test_prepare_returns_the_reduced_fonts_much_smaller_than_the_sources(font_set):
    again = fonts.prepare(settings.DOCUMENT_FONT_DIR)

    assert again == font_set
    assert all(path.is_file() for path in (again.serif, again.sans))
    assert (again.serif_full, again.sans_full) == fonts.source_fonts()
    assert again.serif.stat().st_size < again.serif_full.stat().st_size / 3
    assert again.sans.stat().st_size < again.sans_full.stat().st_size / 3


# --- Word ---------------------------------------------------------------------------------------


def test_docx_portrait_page_is_a4_with_the_form_margins():
    section = reopen_docx(docx.render(FORM)).sections[0]

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [mm(margin) for margin in margins] == [22, 20, 20, 20]


def test_docx_landscape_document_is_a4_landscape():
    section = reopen_docx(docx.render(SUMMARY)).sections[0]

    assert (mm(section.page_width), mm(section.page_height)) == (297, 210)
    assert section.orientation == WD_ORIENT.LANDSCAPE
    margins = (section.top_margin, section.right_margin, section.bottom_margin, section.left_margin)
    assert [mm(margin) for margin in margins] == [18, 15, 16, 15]


def test_docx_table_has_grid_borders_and_fixed_layout():
    table = reopen_docx(docx.render(FORM)).tables[0]

    assert table.style.name == "Table Grid"
    assert table.autofit is False
    layouts = table._tbl.tblPr.findall(qn("w:tblLayout"))
    assert [layout.get(qn("w:type")) for layout in layouts] == ["fixed"]
    borders = table.style.element.find(qn("w:tblPr")).find(qn("w:tblBorders"))
    assert [child.get(qn("w:val")) for child in borders] == ["single"] * 6


def test_docx_cells_read_back_row_by_row_with_colspans_merged():
    table = reopen_docx(docx.render(FORM)).tables[0]

    rows = [[cell.text for cell in distinct_cells(row)] for row in table.rows]
    assert rows == [
        ["项目", "内容", "项目", "内容"],
        ["班组名称", "喆堃钢筋精加工班"],
        ["班组人数", "23", "推荐单位评分", "91.5"],
        ["主管部门", "", "联系人", ""],
    ]
    assert [table.cell(1, column).text for column in range(4)] == [
        "班组名称",
        "喆堃钢筋精加工班",
        "喆堃钢筋精加工班",
        "喆堃钢筋精加工班",
    ]
    assert table.rows[1]._tr.tc_lst[1].grid_span == 3


def test_docx_empty_cells_are_empty_strings_never_none():
    word = reopen_docx(docx.render(FORM))

    texts = [cell.text for row in word.tables[0].rows for cell in row.cells]
    assert (texts[13], texts[15]) == ("", "")
    assert [text for text in texts if "None" in text] == []


def test_docx_header_rows_repeat_on_every_page():
    table = reopen_docx(docx.render(FORM)).tables[0]

    repeated = [
        row._tr.trPr is not None and row._tr.trPr.find(qn("w:tblHeader")) is not None
        for row in table.rows
    ]
    assert repeated == [True, False, False, False]


def test_docx_declares_simsun_for_east_asian_text_without_theme_override():
    word = reopen_docx(docx.render(FORM))
    styles = word.styles.element

    defaults = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    default_fonts = defaults.find(qn("w:rFonts"))
    normal_fonts = word.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    for declared in (default_fonts, normal_fonts):
        assert declared.get(qn("w:eastAsia")) == "SimSun"
        assert declared.get(qn("w:eastAsiaTheme")) is None
        assert declared.get(qn("w:asciiTheme")) is None
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


def test_docx_title_and_labels_are_in_simhei():
    word = reopen_docx(docx.render(FORM))

    title = word.paragraphs[0]
    assert (title.text, title.style.name) == ("质量信得过班组测试申报表", "BZ Title")
    east_asian = {
        name: word.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        for name in ("BZ Title", "BZ Label", "Normal")
    }
    assert east_asian == {"BZ Title": "SimHei", "BZ Label": "SimHei", "Normal": "SimSun"}
    label_paragraph = word.tables[0].cell(1, 0).paragraphs[0]
    assert (label_paragraph.text, label_paragraph.style.name) == ("班组名称", "BZ Label")


def test_docx_font_table_names_simsun_serif_and_simhei_sans_with_chinese_alternates():
    word = reopen_docx(docx.render(FORM))
    part = next(p for p in word.part.package.iter_parts() if p.partname == "/word/fontTable.xml")

    root = etree.fromstring(part.blob)
    declared = {
        font.get(qn("w:name")): tuple(
            font.find(qn(tag)).get(qn("w:val")) for tag in ("w:altName", "w:family", "w:panose1")
        )
        for font in root.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert declared == {
        "SimSun": ("宋体", "roman", "02010600030101010101"),
        "SimHei": ("黑体", "swiss", "02010609060101010101"),
    }


def test_docx_styles_set_the_pdf_sizes_with_exact_line_heights():
    word = reopen_docx(docx.render(FORM))

    set_as = {
        name: (
            word.styles[name].font.size.pt,
            word.styles[name].paragraph_format.line_spacing.pt,
            str(word.styles[name].paragraph_format.line_spacing_rule),
        )
        for name in ("Normal", "BZ Title", "BZ Label", "BZ Note")
    }
    assert set_as == {
        "Normal": (10.5, 16.0, "EXACTLY (4)"),
        "BZ Title": (18.0, 26.0, "EXACTLY (4)"),
        "BZ Label": (10.5, 16.0, "EXACTLY (4)"),
        "BZ Note": (9.0, 13.0, "EXACTLY (4)"),
    }


def test_docx_cells_have_the_pdf_padding_and_rules():
    table = reopen_docx(docx.render(FORM)).tables[0]._tbl

    margins = table.tblPr.find(qn("w:tblCellMar"))
    padding = {child.tag.split("}")[1]: child.get(qn("w:w")) for child in margins.iterchildren()}
    rules = {child.get(qn("w:sz")) for child in table.tblPr.find(qn("w:tblBorders"))}
    assert (padding, rules) == ({"top": "68", "left": "91", "bottom": "68", "right": "91"}, {"6"})


def test_pdf_stylesheet_takes_the_word_metrics():
    css = pdf.metrics_css()

    assert "@page { margin: 22.0mm 20.0mm 20.0mm 20.0mm; }" in css
    assert "td { border: 0.75pt solid #000; padding: 1.2mm 1.6mm; }" in css
    assert "p.body { font-size: 10.5pt; line-height: 16pt; margin: 0pt 0 0pt; }" in css
    assert "p.title { font-size: 18pt; line-height: 26pt; margin: 0pt 0 12pt; }" in css


def test_libreoffice_draws_body_text_serif_and_titles_sans(tmp_path):
    from bench import print_check  # its own LibreOffice profile: safe beside other tests'

    pdf = print_check.libreoffice_pdfs({"form.docx": docx.render(FORM)}, tmp_path)["form.docx"]

    cjk = [name for name in page_fonts_any(PdfReader(io.BytesIO(pdf))) if "CJK" in name]
    # Two faces, one serif (SimSun's stand-in) and one sans (SimHei's): never one for both.
    assert sorted("Serif" if "Serif" in name else "Sans" for name in cjk) == ["Sans", "Serif"]


def test_docx_line_puts_its_label_and_value_on_one_paragraph():
    word = reopen_docx(docx.render(FORM))

    assert word.paragraphs[1].text == "推荐编号 杭-2026-007 \t推荐单位 杭州市建筑业协会 "


def test_docx_package_is_well_formed_ooxml():
    content = docx.render(FORM)

    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert package.testzip() is None
        names = package.namelist()
        for name in names:
            if name.endswith((".xml", ".rels")):
                etree.fromstring(package.read(name))  # raises on malformed XML
        types = etree.fromstring(package.read("[Content_Types].xml"))
    defaults = {d.get("Extension") for d in types.iter(f"{CT_NS}Default")}
    overrides = {o.get("PartName") for o in types.iter(f"{CT_NS}Override")}
    parts = {"/" + name for name in names if name != "[Content_Types].xml"}
    assert {part for part in parts if part.rsplit(".", 1)[-1] not in defaults} <= overrides
    assert overrides <= parts
    assert {"/word/document.xml", "/word/styles.xml", "/word/fontTable.xml"} <= overrides
    main = etree.fromstring(zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml"))
    assert main.tag == f"{{{W_MAIN}}}document"


# --- PDF ------------------------------------------------------------------------------------------


def test_pdf_text_holds_the_chinese_values(form_pdf):
    text = PdfReader(io.BytesIO(form_pdf)).pages[0].extract_text()

    for expected in (
        "质量信得过班组测试申报表",
        "推荐编号",
        "杭-2026-007",
        "杭州市建筑业协会",
        "喆堃钢筋精加工班",
        "23",
        "91.5",
        "第 1 页 共 1 页",
    ):
        assert expected in text
    assert "None" not in text


def test_pdf_page_is_a4(form_pdf):
    box = PdfReader(io.BytesIO(form_pdf)).pages[0].mediabox

    assert float(box.width) == pytest.approx(A4_PT[0], abs=1)
    assert float(box.height) == pytest.approx(A4_PT[1], abs=1)


def test_pdf_fonts_are_embedded_subsets(form_pdf):
    found = page_fonts(PdfReader(io.BytesIO(form_pdf)))

    assert found
    for name, descriptor in found.items():
        assert re.fullmatch(r"[A-Z]{6}\+.+", name), name
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), name
    families = {name.split("+", 1)[1] for name in found}
    # Title and labels in the sans, values in the reduced serif, 喆 and 堃 from the full serif.
    assert families == {"BZ-Sans", "BZ-Serif", "BZ-Serif-Full"}


def test_pdf_without_rare_characters_needs_no_full_font(narrative_pdf):
    found = page_fonts(PdfReader(io.BytesIO(narrative_pdf)))

    assert {name.split("+", 1)[1] for name in found} == {"BZ-Serif"}


def test_pdf_long_narrative_flows_over_pages_without_losing_a_character(narrative_pdf):
    reader = PdfReader(io.BytesIO(narrative_pdf))

    text = squeeze("".join(page.extract_text() for page in reader.pages))
    assert len(reader.pages) > 3
    assert re.findall(r"第\d+页共\d+页", text) == [
        f"第{n}页共{len(reader.pages)}页" for n in range(1, len(reader.pages) + 1)
    ]
    assert re.sub(r"第\d+页共\d+页", "", text) == squeeze(NARRATIVE)
    assert squeeze(reader.pages[-1].extract_text()).find(ENDING) >= 0


def test_pdf_html_lays_tables_out_fixed_and_wraps_long_words():
    html = pdf.to_html(LONG_NAMES)
    css = pdf.STYLESHEET.read_text(encoding="utf-8")

    assert '<col style="width: 50.000%"><col style="width: 50.000%">' in html
    assert re.search(r"table \{[^}]*table-layout: fixed;", css)
    assert re.search(r"td \{[^}]*overflow-wrap: break-word;", css)
    assert re.search(r"\bp \{[^}]*overflow-wrap: anywhere;", css)


def test_pdf_very_long_names_wrap_inside_their_cells(long_names_pdf):
    reader = PdfReader(long_names_pdf)
    page = reader.pages[0]
    starts: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            starts.append(tm[4] * cm[0] + tm[5] * cm[2] + cm[4])

    text = page.extract_text(visitor_text=visit)
    left, right = 20 * MM_PT, A4_PT[0] - 20 * MM_PT  # the portrait margins of pdf.css
    middle = (left + right) / 2
    assert starts
    assert all(left - 1 <= x < right for x in starts)
    assert LONG_NAME in squeeze(text)
    assert LONG_LATIN in squeeze(text)
    # pdftotext gives each word's box: every word of the two values ends inside the value column.
    boxes = subprocess.run(
        ["pdftotext", "-bbox", str(long_names_pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]+)</word>',
        boxes,
    )
    values = [
        (float(x0), float(y0), float(x1))
        for x0, y0, x1, word in words
        if word in LONG_NAME or word in LONG_LATIN
    ]
    assert len({y0 for _x0, y0, _x1 in values}) >= 6  # both values wrapped onto several lines
    assert all(middle < x0 and x1 <= right for x0, _y0, x1 in values)


def test_pdftotext_reads_the_chinese_back(form_pdf, tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(form_pdf)

    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for expected in (
        "质量信得过班组测试申报表",
        "杭州市建筑业协会",
        "喆堃钢筋精加工班",
        "班组人数",
    ):
        assert expected in text


# --- Excel ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def form_sheet():
    return load_workbook(io.BytesIO(xlsx.render(FORM))).active


def test_xlsx_values_keep_their_types(form_sheet):
    rows = [[cell.value for cell in row] for row in form_sheet.iter_rows()]

    assert rows == [
        ["质量信得过班组测试申报表", None, None, None],
        ["推荐编号杭-2026-007", None, "推荐单位杭州市建筑业协会", None],
        ["项目", "内容", "项目", "内容"],
        ["班组名称", "喆堃钢筋精加工班", None, None],
        ["班组人数", 23, "推荐单位评分", 91.5],
        ["主管部门", None, "联系人", None],
    ]
    assert type(form_sheet["B5"].value) is int
    assert form_sheet["D5"].number_format == "0.00"
    assert form_sheet.title == "测试"


def test_xlsx_merges_title_lines_and_colspans(form_sheet):
    merged = sorted(str(cells) for cells in form_sheet.merged_cells.ranges)

    assert merged == ["A1:D1", "A2:B2", "B4:D4", "C2:D2"]


def test_xlsx_table_cells_have_borders_and_wrap(form_sheet):
    table = [cell for row in form_sheet["A3:D6"] for cell in row]
    # A merged range (B4:D4) is boxed on its outside: top and bottom throughout, right at its end.
    merged = [cell for cell in table if isinstance(cell, MergedCell)]

    sides = {
        cell.coordinate: (cell.border.left.style, cell.border.right.style)
        for cell in table
        if cell not in merged
    }
    assert set(sides.values()) == {("thin", "thin")}
    assert len(sides) == 14
    assert [(c.coordinate, c.border.right.style) for c in merged] == [("C4", None), ("D4", "thin")]
    assert {(c.border.top.style, c.border.bottom.style) for c in table} == {("thin", "thin")}
    assert {c.alignment.wrap_text for c in table if c not in merged} == {True}
    assert form_sheet["A3"].font.b is True
    assert form_sheet["B4"].font.name == "宋体"


def test_xlsx_freezes_and_prints_the_header_row(form_sheet):
    assert form_sheet.freeze_panes == "A4"
    assert form_sheet.print_title_rows == "$3:$3"
    assert [
        form_sheet.page_setup.orientation,
        form_sheet.page_setup.paperSize,
        form_sheet.page_setup.fitToWidth,
        form_sheet.sheet_properties.pageSetUpPr.fitToPage,
    ] == ["portrait", 9, 1, True]  # paper size 9 is A4


def test_xlsx_landscape_document_prints_landscape_a4():
    sheet = load_workbook(io.BytesIO(xlsx.render(SUMMARY))).active

    assert (sheet.page_setup.orientation, str(sheet.page_setup.paperSize)) == ("landscape", "9")
    assert [cell.value for cell in sheet[3]] == [1, "浙江甲建设有限公司", 88.25]
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (6, 30)


def test_xlsx_refuses_a_document_without_exactly_one_table():
    with pytest.raises(ValueError, match="exactly one table"):
        xlsx.render(Document(title="空", blocks=(Para("无表格"),)))


def test_pdf_keeps_tab_separated_columns_apart_at_word_tab_stops():
    html = pdf.to_html(
        Document(title="t", blocks=(Para("项目\t目标\t实际"), Para("\u3000\u3000正文")))
    )

    assert '<p class="body align-left tabs">项目\t目标\t实际</p>' in html
    assert '<p class="body align-left">\u3000\u3000正文</p>' in html
