"""Render a `Document` as Word (.docx) with python-docx.

What Word, WPS and LibreOffice need to show it as the paper form: an A4 section with the form's
margins, fixed-layout tables with single borders and explicit column widths, rows allowed to break
across pages (long narratives flow on), header rows repeated, and East Asian text declared in
宋体 (titles and labels in 黑体) with their Latin names as alternates in the font table, so that a
machine without the Chinese names finds SimSun and SimHei, and LibreOffice's substitution table
finds a Noto CJK font.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from banzu.documents.model import (
    ASSOCIATION,
    BORDER_PT,
    CELL_PADDING_MM,
    LANDSCAPE_MARGINS_MM,
    LINE_AFTER_PT,
    PORTRAIT_MARGINS_MM,
    STYLES,
    Align,
    Cell,
    Document,
    Line,
    PageBreak,
    Para,
    Spacer,
    Table,
)

LATIN_FONT = "Times New Roman"
# East Asian faces by their Latin names, which Word and WPS resolve on Chinese Windows and which
# fontconfig (hence LibreOffice) maps to a serif and a sans CJK face; "宋体" and "黑体" are unknown
# to fontconfig and both fell back to one sans face. The font table names the Chinese names as
# alternates, with panose and family, for Word on a machine with neither.
SONG = "SimSun"
HEI = "SimHei"
# (name, alternate name, panose, family) for the font table.
EAST_ASIAN_FONTS = (
    (SONG, "宋体", "02010600030101010101", "roman"),
    (HEI, "黑体", "02010609060101010101", "swiss"),
)

_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}
_VALIGN = {
    "top": WD_CELL_VERTICAL_ALIGNMENT.TOP,
    "middle": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
    "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM,
}
# style → the Word style's name (its size, line and face from model.STYLES)
_STYLES = {
    "title": "BZ Title",
    "subtitle": "BZ Subtitle",
    "heading": "BZ Heading",
    "label": "BZ Label",
    "note": "BZ Note",
    "small": "BZ Small",
    "body": "Normal",
}


# style → the id Word files it under (None: the default paragraph style, Normal).
_STYLE_IDS = {
    key: None if name == "Normal" else name.replace(" ", "") for key, name in _STYLES.items()
}


def _set_fonts(rpr: Any, east_asian: str) -> None:
    """Name the fonts explicitly and drop the theme's, which would otherwise win."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:hint"), "eastAsia")


def _set_language(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")


def _set_on(parent: Any, tag: str, val: str) -> None:
    element = parent.find(qn(tag))
    if element is None:
        element = OxmlElement(tag)
        parent.append(element)
    element.set(qn("w:val"), val)


def _prepare_styles(document: Any) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(rpr, SONG)
    _set_language(rpr)
    # No extra space between Chinese and Latin text, no snapping to a document grid: WeasyPrint
    # does neither, and each shifts line breaks between the two copies.
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is None:
        ppr_default = OxmlElement("w:pPrDefault")
        defaults.append(ppr_default)
    ppr = ppr_default.find(qn("w:pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        ppr_default.append(ppr)
    for tag, val in (
        ("w:widowControl", "1"),
        ("w:snapToGrid", "0"),
        ("w:autoSpaceDE", "0"),
        ("w:autoSpaceDN", "0"),
    ):
        _set_on(ppr, tag, val)
    styles = document.styles
    for key, name in _STYLES.items():
        metrics = STYLES[key]
        style = styles[name] if name == "Normal" else styles.add_style(name, 1)
        if name != "Normal":
            style.base_style = styles["Normal"]
        style.font.size = Pt(metrics.size_pt)
        _set_fonts(style.element.get_or_add_rPr(), HEI if metrics.sans else SONG)
        spacing = style.paragraph_format
        spacing.space_before = Pt(metrics.before_pt)
        spacing.space_after = Pt(metrics.after_pt)
        spacing.line_spacing = Pt(metrics.line_pt)  # a length: exactly this, not a multiple
    styles["BZ Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _prepare_font_table(document: Any) -> None:
    """Add the Chinese fonts to the font table with their Chinese alternate names. The
    template's font table is a plain part (bytes), so it is parsed, extended and written back."""
    part = document.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, alternate, panose, family in EAST_ASIAN_FONTS:
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        for tag, val in (
            ("w:altName", alternate),
            ("w:panose1", panose),
            ("w:charset", "86"),
            ("w:family", family),
            ("w:pitch", "variable"),
        ):
            child = OxmlElement(tag)
            child.set(qn("w:val"), val)
            font.append(child)
        root.append(font)
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_setup(document: Any, landscape: bool) -> int:
    """Size the section as A4 and return the text width in EMU."""
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        top, right, bottom, left = LANDSCAPE_MARGINS_MM
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        top, right, bottom, left = PORTRAIT_MARGINS_MM
    section.top_margin, section.right_margin = Mm(top), Mm(right)
    section.bottom_margin, section.left_margin = Mm(bottom), Mm(left)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(8)
    return int(section.page_width - section.left_margin - section.right_margin)


def _field(paragraph: Any, instruction: str) -> None:
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _page_numbers(document: Any) -> None:
    paragraph = document.sections[0].footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.style = document.styles["BZ Note"]
    paragraph.add_run("第 ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" 页 共 ")
    _field(paragraph, "NUMPAGES")
    paragraph.add_run(" 页")


def _mark(document: Any, mark: str) -> None:
    """The document's mark (a draft's 草稿) at the top right of every page."""
    paragraph = document.sections[0].header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    paragraph.style = document.styles["BZ Subtitle"]
    run = paragraph.add_run(mark)
    run.font.color.rgb = RGBColor(0xCC, 0x00, 0x00)


def _write_para(paragraph: Any, para: Para, align: Align | None = None) -> None:
    # The style by id: assigning a style object makes python-docx search every style each time.
    paragraph._p.style = _STYLE_IDS[para.style]
    paragraph.alignment = _ALIGN[align or para.align]
    paragraph.add_run(para.text)


def _write_line(document: Any, line: Line, width: int) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(LINE_AFTER_PT)
    paragraph.paragraph_format.tab_stops.add_tab_stop(width, alignment=2)  # right

    def field(label: str, value: str) -> None:
        _set_fonts(paragraph.add_run(label)._r.get_or_add_rPr(), HEI)
        # A blank value stays a blank to write on: full-width spaces, underlined.
        run = paragraph.add_run(f" {value} " if value else "\u3000" * 8)
        run.font.underline = line.underline

    if line.label or line.value:
        field(line.label, line.value)
    if not (line.right_label or line.right_value) and line.label:
        # A long value wraps beside its label (a hanging indent of the label's width), as in the
        # PDF, not under it.
        indent = Pt(len(line.label) * STYLES["label"].size_pt)
        paragraph.paragraph_format.left_indent = indent
        paragraph.paragraph_format.first_line_indent = -indent
    if line.right_label or line.right_value:
        paragraph.add_run("\t")
        field(line.right_label, line.right_value)


def _cell_properties(cell: Any, width: int, valign: str) -> None:
    cell.width = width
    cell.vertical_alignment = _VALIGN[valign]


def _twips(mm: float) -> str:
    return str(round(mm * 1440 / 25.4))


def _table_rules_and_padding(tbl_pr: Any) -> None:
    """Single rules of the PDF's weight, and the PDF's cell padding (Word's default has none
    above and below a cell's text)."""
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        rule = OxmlElement(f"w:{side}")
        rule.set(qn("w:val"), "single")
        rule.set(qn("w:sz"), str(round(BORDER_PT * 8)))
        rule.set(qn("w:space"), "0")
        rule.set(qn("w:color"), "000000")
        borders.append(rule)
    vertical, horizontal = CELL_PADDING_MM
    margins = OxmlElement("w:tblCellMar")
    for side, mm in (
        ("top", vertical),
        ("left", horizontal),
        ("bottom", vertical),
        ("right", horizontal),
    ):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), _twips(mm))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    # The schema's order around the fixed layout: tblBorders, shd, tblLayout, tblCellMar.
    layout = tbl_pr.find(qn("w:tblLayout"))
    layout.addprevious(borders)
    layout.addnext(margins)


def _write_table(document: Any, table: Table, width: int) -> None:
    columns = len(table.widths)
    total = sum(table.widths)
    widths = [int(width * w / total) for w in table.widths]
    grid = document.add_table(rows=len(table.rows), cols=columns)
    grid.style = document.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # writes <w:tblLayout w:type="fixed"/> in its schema position
    for index, column in enumerate(grid.columns):
        column.width = widths[index]
    _table_rules_and_padding(grid._tbl.tblPr)

    for row_index, row in enumerate(table.rows):
        docx_row = grid.rows[row_index]
        if row_index < table.header_rows:
            header = OxmlElement("w:tblHeader")
            docx_row._tr.get_or_add_trPr().append(header)
        run_on = table.kept_rows and row_index >= table.kept_rows
        if not table.rows_can_split and not run_on:
            docx_row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        heights = [cell.min_height_mm for cell in row if cell.min_height_mm]
        if heights:
            docx_row.height = Mm(max(heights))
            docx_row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        # Take the row's cells once: grid.cell() rebuilds every cell of the table on each call.
        row_cells = docx_row.cells
        column = 0
        for cell in row:
            target = row_cells[column]
            for offset in range(cell.colspan):
                row_cells[column + offset].width = widths[column + offset]
            if cell.colspan > 1:
                target = target.merge(row_cells[column + cell.colspan - 1])
            _cell_properties(target, sum(widths[column : column + cell.colspan]), cell.valign)
            _fill_cell(target, cell)
            if row_index < table.kept_rows - 1:
                for paragraph in target.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True
            column += cell.colspan


def _fill_cell(target: Any, cell: Cell) -> None:
    paragraphs = list(cell.content)
    first = target.paragraphs[0]
    if not paragraphs:
        return
    for index, para in enumerate(paragraphs):
        paragraph = first if index == 0 else target.add_paragraph()
        _write_para(paragraph, para, para.align if para.align != "left" else cell.align)


_APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    "<Application>banzu</Application><Company>{company}</Company></Properties>"
)


def _metadata(word: Any, document: Document) -> None:
    """The file's properties say what it is, who made it and when, not what python-docx's
    template was (created 2013-12-23, "generated by python-docx", "Microsoft Macintosh Word",
    a blank thumbnail, East Asian text in Japanese)."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    properties = word.core_properties
    properties.title = document.title
    author = document.author or ASSOCIATION
    properties.author = author
    properties.last_modified_by = author
    properties.keywords = ", ".join(document.keywords)
    properties.language = "zh-CN"
    properties.comments = ""
    properties.revision = 1
    properties.created = now
    properties.modified = now
    package = word.part.package
    for rel in list(package.rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            package.rels.pop(rel.rId)
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML.format(company=escape(author)).encode()
    language = word.settings.element.find(qn("w:themeFontLang"))
    if language is not None:
        language.set(qn("w:val"), "en-US")
        language.set(qn("w:eastAsia"), "zh-CN")


def render(document: Document) -> bytes:
    word = docx.Document()
    _prepare_styles(word)
    _prepare_font_table(word)
    width = _page_setup(word, document.landscape)
    _metadata(word, document)
    # The template starts with one empty paragraph; write into the body from scratch.
    body = word.element.body
    for paragraph in list(body.iterchildren(qn("w:p"))):
        body.remove(paragraph)
    if document.footer_page_numbers:
        _page_numbers(word)
    if document.mark:
        _mark(word, document.mark)

    previous_was_table = False
    for block in document.blocks:
        if isinstance(block, Para):
            _write_para(word.add_paragraph(), block)
        elif isinstance(block, Line):
            _write_line(word, block, width)
        elif isinstance(block, Table):
            if previous_was_table:
                # Word merges adjacent tables; keep them apart by a hairline paragraph.
                word.add_paragraph().paragraph_format.line_spacing = Pt(1)
            _write_table(word, block, width)
        elif isinstance(block, Spacer):
            # An empty paragraph exactly the spacer's height, as the PDF's empty block.
            paragraph = word.add_paragraph()
            paragraph.paragraph_format.line_spacing = Mm(block.height_mm)
        elif isinstance(block, PageBreak):
            word.add_page_break()
        previous_was_table = isinstance(block, Table)
    # A document ending in a table needs a final paragraph (Word requires it after the table).
    if previous_was_table:
        word.add_paragraph().paragraph_format.line_spacing = Pt(1)

    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()
