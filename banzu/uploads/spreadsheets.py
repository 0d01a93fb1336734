"""Reading an uploaded table, an Excel workbook (.xlsx) or a CSV file, into rows of cells, and
those rows into records by their column names (the expert import, the archive's index).

Pure Python, like banzu.uploads.validation, whose checks the workbook passes before openpyxl
opens it: the zip directory (entries, sizes, ratios, paths, macros), then every entry inflated
with a hard bound and its XML without DOCTYPE. A CSV file is UTF-8 (with or without a BOM) or, as
Excel writes it in this province, GBK.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Mapping
from typing import Any

from banzu.uploads.base import Limits, UploadRejected
from banzu.uploads.ooxml import (
    check_central_directory,
    check_entry_names,
    check_xml_stream,
    stream_entry,
)

SUFFIXES = (".xlsx", ".csv")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")

# A record: its row number as the spreadsheet shows it, and {column: text}.
Record = tuple[int, dict[str, str]]


class SpreadsheetError(Exception):
    """The file as a whole cannot be read. `code` says why, for the caller to word: a rejection
    code of banzu.uploads.validation ("too_large", "magic", "zip_bomb", "path", "macro",
    "doctype"), or "extension", "unreadable" (the workbook), "csv", "encoding" or "empty"."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def read_table(
    name: str,
    content: bytes,
    *,
    limits: Limits,
    max_rows: int | None = None,
    max_columns: int | None = None,
) -> list[list[Any]]:
    """The first sheet's (or the CSV file's) rows of cell values, at most `max_rows` of them."""
    if len(content) > limits.max_bytes:
        raise SpreadsheetError("too_large")
    if name.lower().endswith(".xlsx"):
        table = _xlsx_rows(content, limits, max_rows, max_columns)
    elif name.lower().endswith(".csv"):
        table = _csv_rows(content, max_rows)
    else:
        raise SpreadsheetError("extension")
    if not table:
        raise SpreadsheetError("empty")
    return table


def records(table: list[list[Any]], columns: Mapping[str, str]) -> tuple[set[str], list[Record]]:
    """The columns the first row names (through `columns`, keyed by the casefolded name without
    spaces, stars or colons) and every non-blank row below it as a record. Where two headers
    name one column, the first non-empty cell wins."""
    header = [columns.get(header_key(value)) for value in table[0]]
    rows: list[Record] = []
    for number, cells in enumerate(table[1:], start=2):
        values: dict[str, str] = {}
        for column, value in zip(header, cells, strict=False):
            if column is not None and not values.get(column):
                values[column] = cell_text(value)
        if any(values.values()):
            rows.append((number, values))
    return {column for column in header if column is not None}, rows


def header_key(value: Any) -> str:
    return re.sub(r"[\s*＊:：]+", "", cell_text(value)).casefold()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into Excel arrives as 13605792309.0
    return str(value).strip()


def _csv_rows(content: bytes, max_rows: int | None) -> list[list[Any]]:
    for encoding in CSV_ENCODINGS:
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return list(itertools.islice(csv.reader(io.StringIO(text, newline="")), max_rows))
        except csv.Error as error:
            raise SpreadsheetError("csv") from error
    raise SpreadsheetError("encoding")


def _xlsx_rows(
    content: bytes, limits: Limits, max_rows: int | None, max_columns: int | None
) -> list[list[Any]]:
    from openpyxl import load_workbook

    if not content.startswith(b"PK\x03\x04"):
        raise SpreadsheetError("magic")
    try:
        _check_package(content, limits)
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UploadRejected as rejected:
        raise SpreadsheetError(rejected.code) from rejected
    except Exception as error:  # any failure of a third-party parser on an untrusted file
        raise SpreadsheetError("unreadable") from error
    try:
        sheet = workbook.worksheets[0].iter_rows(values_only=True, max_col=max_columns)
        return [list(row) for row in itertools.islice(sheet, max_rows)]
    except Exception as error:  # as above: read_only parses the sheet's XML lazily
        raise SpreadsheetError("unreadable") from error
    finally:
        workbook.close()


def _check_package(content: bytes, limits: Limits) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        infos = archive.infolist()
    check_central_directory(infos, limits)
    check_entry_names(infos)
    handle = io.BytesIO(content)
    offsets = sorted(info.header_offset for info in infos)
    for info in infos:
        chunks = stream_entry(handle, info, offsets)
        if info.orig_filename.lower().endswith((".xml", ".rels")):
            check_xml_stream(chunks, info.orig_filename)
        else:
            for _chunk in chunks:
                pass
