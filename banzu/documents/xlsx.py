"""Render a `Document` as an Excel workbook with openpyxl: one sheet (or one sheet per document of
a list), the document's paragraphs and lines as merged rows above its table, typed cells (numbers
stay numbers), borders, wrapping, the header rows frozen and repeated on every printed page, A4
fitted to the page width.

Every row that wraps is given the height its text needs (`row_height`). Excel grows a row only for
text it laid out itself; LibreOffice and WPS show a file's row at the height the file gives, so a
long name would show its middle line and a two-line header would run into the data. Columns
widen to keep a short header term ("推荐单位评分") on one line.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from banzu.documents.model import Cell, Document, Line, Para, Spacer, Table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EAST_ASIAN_FONT = "宋体"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

BODY_SIZE = 11  # points: openpyxl's default font size, the cells' size
TITLE_SIZE = 14
TITLE_HEIGHT_PT = 30
PT_PER_MM = 72 / 25.4


# --- Row heights ------------------------------------------------------------------------------
#
# The narrowest reader sets the count: Excel and WPS on Windows draw a column of width w (in the
# default font's digit widths, 7 px) as 7w px with about 5 px of margins, and 宋体 at 11 pt as
# 15 px a character, so a line holds (7w - 5) / 7.5 Latin widths, a CJK character counting two.
# LibreOffice draws the columns wider, so it never needs more lines than counted. The line
# height is the tallest face's: Noto CJK, LibreOffice's stand-in for 宋体, takes 1.45 em.

PX_PER_WIDTH = 7
MARGIN_PX = 5
PX_PER_HALF_EM = 7.5  # half of an 11-point CJK character, in pixels
LINE_EM = 1.45
PADDING_PT = 4
TERM_LIMIT = 16  # a header term up to eight CJK characters is kept on one line
# A line never starts with closing punctuation nor ends with opening punctuation (禁则).
_CLOSING = set("，。、；：？！）》」』】〕〉”’…—%,.;:?!)]}")
_OPENING = set("（《「『【〔〈“‘([{")


def char_width(char: str) -> int:
    """A character's width in Latin widths: a CJK (wide or full-width) character takes two."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def capacity(width: float, size: float = BODY_SIZE) -> float:
    """How many Latin widths a line holds in a column `width` wide, at the font `size`."""
    return max(1.0, (PX_PER_WIDTH * width - MARGIN_PX) / (PX_PER_HALF_EM * size / BODY_SIZE))


def _tokens(line: str) -> list[tuple[int, bool]]:
    """The line's unbreakable pieces, as (width, is a space): a Latin word, or a CJK character
    with the punctuation that may not be parted from it."""
    tokens: list[list[Any]] = []  # [width, space, kind] with kind "latin", "cjk" or "open"
    for char in line:
        width = char_width(char)
        if char == " ":
            tokens.append([width, True, "space"])
        elif tokens and char in _CLOSING and not tokens[-1][1]:
            tokens[-1][0] += width
        elif tokens and tokens[-1][2] == "open":
            tokens[-1][0] += width
            tokens[-1][2] = "cjk" if width == 2 else "latin"
        elif char in _OPENING:
            tokens.append([width, False, "open"])
        elif width == 2:
            tokens.append([width, False, "cjk"])
        elif tokens and tokens[-1][2] == "latin":
            tokens[-1][0] += width
        else:
            tokens.append([width, False, "latin"])
    return [(int(width), bool(space)) for width, space, _kind in tokens]


def wrapped_lines(text: str, width: float, size: float = BODY_SIZE) -> int:
    """The lines `text` takes wrapped in a column `width` wide: line breaks kept, Latin words
    kept whole unless one alone is wider than the column."""
    room = capacity(width, size)
    total = 0
    for line in text.split("\n"):
        lines, used = 1, 0.0
        for token, space in _tokens(line):
            if space:
                used += token if used else 0  # a space at a line's end hangs over the edge
            elif used + token <= room:
                used += token
            elif token <= room:
                lines, used = lines + 1, float(token)
            else:
                whole, rest = divmod(token, room)
                lines += int(whole) - (0 if used else 1) + (1 if rest else 0)
                used = rest or room
        total += lines
    return total


def line_height(size: float = BODY_SIZE) -> float:
    """One line's height in points, to the quarter point above."""
    return math.ceil(size * LINE_EM * 4) / 4


def row_height(
    cells: Iterable[tuple[str, float]], *, size: float = BODY_SIZE, minimum: float = 0
) -> float | None:
    """The height in points a row of wrapped cells, each (its text, its width), needs; None when
    every cell fits on one line and no `minimum` asks for more (the reader's default height)."""
    lines = max((wrapped_lines(text, width, size) for text, width in cells if text), default=1)
    needed = lines * line_height(size) + PADDING_PT if lines > 1 else 0
    height = max(needed, minimum)
    return round(height, 2) if height else None


def term_width(text: str, size: float = BODY_SIZE) -> float:
    """The column width that holds `text` on one line."""
    needed = (text_width(text) * PX_PER_HALF_EM * size / BODY_SIZE + MARGIN_PX) / PX_PER_WIDTH
    return math.ceil(needed * 2) / 2


# --- The workbook -----------------------------------------------------------------------------


def _never_a_formula(cell: Any) -> None:
    """openpyxl stores a string starting with "=" as a formula: a team named "=HYPERLINK(…)"
    would be live in the recommender's spreadsheet. Data is always a string."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def render(document: Document) -> bytes:
    return render_sheets([document])


def render_sheets(documents: Sequence[Document]) -> bytes:
    """One workbook, one sheet per document (a schedule's rooms), in the given order; the
    workbook's properties are the first document's."""
    if not documents:
        raise ValueError("a workbook needs at least one document")
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    for index, document in enumerate(documents):
        sheet = first if index == 0 else workbook.create_sheet()
        _write_sheet(sheet, document)
    workbook.properties.title = documents[0].title
    workbook.properties.creator = documents[0].author or "banzu"
    workbook.properties.language = "zh-CN"

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def column_widths(table: Table) -> tuple[float, ...]:
    """The table's widths, each widened so that the short header terms above it stay whole (a
    label of two terms, "质量成本\n(万元/年)", is two lines, each whole)."""
    widths = list(table.widths)
    for row in table.rows[: table.header_rows]:
        column = 0
        for cell in row:
            if cell.colspan == 1:
                for term in cell.text.split("\n"):
                    if term and " " not in term and text_width(term) <= TERM_LIMIT:
                        widths[column] = max(widths[column], term_width(term))
            column += cell.colspan
    return tuple(widths)


def _write_sheet(sheet: Worksheet, document: Document) -> None:
    tables = document.tables()
    if len(tables) != 1:
        raise ValueError("an Excel rendering needs a document with exactly one table")
    table = tables[0]
    widths = column_widths(table)
    columns = len(widths)
    last = get_column_letter(columns)
    half = max(1, columns // 2)
    left_width, right_width = sum(widths[:half]), sum(widths[half:]) or sum(widths)

    sheet.title = document.sheet_name
    row = 1
    table_top = 0
    for block in document.blocks:
        if isinstance(block, Para):
            cell = sheet.cell(row=row, column=1, value=block.text)
            _never_a_formula(cell)
            title = block.style == "title"
            size = TITLE_SIZE if title else BODY_SIZE
            cell.font = Font(name=EAST_ASIAN_FONT, bold=title, size=size if title else None)
            cell.alignment = Alignment(horizontal=block.align, vertical="center", wrap_text=True)
            sheet.merge_cells(f"A{row}:{last}{row}")
            height = row_height(
                [(block.text, sum(widths))], size=size, minimum=TITLE_HEIGHT_PT if title else 0
            )
            if height:
                sheet.row_dimensions[row].height = height
            row += 1
        elif isinstance(block, Line):
            left = f"{block.label}{block.value}"
            right = f"{block.right_label}{block.right_value}"
            left_cell = sheet.cell(row=row, column=1, value=left)
            left_cell.font = Font(name=EAST_ASIAN_FONT)
            left_cell.alignment = Alignment(vertical="center", wrap_text=True)
            _never_a_formula(left_cell)
            if half > 1:
                sheet.merge_cells(f"A{row}:{get_column_letter(half)}{row}")
            if right:
                right_cell = sheet.cell(row=row, column=half + 1, value=right)
                right_cell.font = Font(name=EAST_ASIAN_FONT)
                _never_a_formula(right_cell)
                right_cell.alignment = Alignment(
                    horizontal="right", vertical="center", wrap_text=True
                )
                if columns > half + 1:
                    sheet.merge_cells(f"{get_column_letter(half + 1)}{row}:{last}{row}")
            height = row_height([(left, left_width), (right, right_width)])
            if height:
                sheet.row_dimensions[row].height = height
            row += 1
        elif isinstance(block, Spacer):
            continue
        elif isinstance(block, Table):
            table_top = row
            row = _write_table(sheet, table, widths, row)

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if table.header_rows:
        first_body = table_top + table.header_rows
        sheet.freeze_panes = f"A{first_body}"
        sheet.print_title_rows = f"{table_top}:{first_body - 1}"
    sheet.page_setup.orientation = "landscape" if document.landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _cell_text(cell: Cell) -> str:
    """What the cell shows as wrapped text; a number never wraps."""
    shown = cell.typed_value
    return shown if isinstance(shown, str) else ""


def _write_table(sheet: Worksheet, table: Table, widths: Sequence[float], top: int) -> int:
    row = top
    for index, cells in enumerate(table.rows):
        header = index < table.header_rows
        column = 1
        texts: list[tuple[str, float]] = []
        for cell in cells:
            _write_cell(sheet, row, column, cell, header=header)
            texts.append((_cell_text(cell), sum(widths[column - 1 : column - 1 + cell.colspan])))
            if cell.colspan > 1:
                sheet.merge_cells(
                    start_row=row,
                    start_column=column,
                    end_row=row,
                    end_column=column + cell.colspan - 1,
                )
                for offset in range(1, cell.colspan):
                    sheet.cell(row=row, column=column + offset).border = _BOX
            column += cell.colspan
        least = max((cell.min_height_mm or 0 for cell in cells), default=0)
        height = row_height(texts, minimum=round(least * PT_PER_MM, 1))
        if height:
            sheet.row_dimensions[row].height = height
        row += 1
    return row


def _write_cell(sheet: Worksheet, row: int, column: int, cell: Cell, *, header: bool) -> None:
    target = sheet.cell(row=row, column=column, value=cell.typed_value)
    _never_a_formula(target)
    target.border = _BOX
    target.font = Font(name=EAST_ASIAN_FONT, bold=header)
    target.alignment = Alignment(
        wrap_text=True,
        horizontal="center" if header else cell.align,
        vertical="center" if cell.valign == "middle" else cell.valign,
    )
    if cell.number_format:
        target.number_format = cell.number_format
