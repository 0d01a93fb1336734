"""Render a `Document` as an Excel workbook with openpyxl: one sheet (or one sheet per document of
a list), the document's paragraphs and lines as merged rows above its table, typed cells (numbers
stay numbers), borders, wrapping, row heights from the cells' minimum heights, the header rows
frozen and repeated on every printed page, A4 fitted to the page width."""

from __future__ import annotations

import io
from collections.abc import Sequence
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


def _write_sheet(sheet: Worksheet, document: Document) -> None:
    tables = document.tables()
    if len(tables) != 1:
        raise ValueError("an Excel rendering needs a document with exactly one table")
    table = tables[0]
    columns = len(table.widths)
    last = get_column_letter(columns)
    half = max(1, columns // 2)

    sheet.title = document.sheet_name
    row = 1
    table_top = 0
    for block in document.blocks:
        if isinstance(block, Para):
            cell = sheet.cell(row=row, column=1, value=block.text)
            _never_a_formula(cell)
            if block.style == "title":
                cell.font = Font(name=EAST_ASIAN_FONT, bold=True, size=14)
                sheet.row_dimensions[row].height = 30
            else:
                cell.font = Font(name=EAST_ASIAN_FONT)
            cell.alignment = Alignment(horizontal=block.align, vertical="center")
            sheet.merge_cells(f"A{row}:{last}{row}")
            row += 1
        elif isinstance(block, Line):
            left = f"{block.label}{block.value}"
            left_cell = sheet.cell(row=row, column=1, value=left)
            left_cell.font = Font(name=EAST_ASIAN_FONT)
            _never_a_formula(left_cell)
            if half > 1:
                sheet.merge_cells(f"A{row}:{get_column_letter(half)}{row}")
            if block.right_label or block.right_value:
                right = sheet.cell(
                    row=row, column=half + 1, value=f"{block.right_label}{block.right_value}"
                )
                right.font = Font(name=EAST_ASIAN_FONT)
                _never_a_formula(right)
                right.alignment = Alignment(horizontal="right")
                if columns > half + 1:
                    sheet.merge_cells(f"{get_column_letter(half + 1)}{row}:{last}{row}")
            row += 1
        elif isinstance(block, Spacer):
            continue
        elif isinstance(block, Table):
            table_top = row
            row = _write_table(sheet, table, row)

    for index, width in enumerate(table.widths, start=1):
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
    sheet.oddFooter.center.text = "第 &P 页 共 &N 页"


def _write_table(sheet: object, table: Table, top: int) -> int:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    row = top
    for index, cells in enumerate(table.rows):
        header = index < table.header_rows
        column = 1
        for cell in cells:
            _write_cell(sheet, row, column, cell, header=header)
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
        heights = [cell.min_height_mm for cell in cells if cell.min_height_mm]
        if heights:
            sheet.row_dimensions[row].height = round(max(heights) * 72 / 25.4, 1)  # points
        row += 1
    return row


def _write_cell(sheet: object, row: int, column: int, cell: Cell, *, header: bool) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
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
