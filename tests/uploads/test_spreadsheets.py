"""The one reader of uploaded tables (the expert import, the archive's index): no database."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from banzu.uploads.spreadsheets import SpreadsheetError, read_table, records
from banzu.uploads.validation import Limits

LIMITS = Limits(max_bytes=1024 * 1024)
COLUMNS = {"姓名": "name", "name": "name", "邮箱": "email", "email": "email"}


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def code_of(name: str, content: bytes, limits: Limits = LIMITS) -> str:
    with pytest.raises(SpreadsheetError) as raised:
        read_table(name, content, limits=limits)
    return raised.value.code


def test_a_workbook_reads_its_first_sheet_with_numbers_as_excel_typed_them():
    content = workbook_bytes([["姓名", "手机"], ["陈静", 13605792309]])

    assert read_table("a.XLSX", content, limits=LIMITS) == [["姓名", "手机"], ["陈静", 13605792309]]


def test_a_csv_file_is_read_as_utf8_with_a_bom_or_as_gbk():
    text = "姓名,邮箱\n陈静,chen@example.cn\n"
    expected = [["姓名", "邮箱"], ["陈静", "chen@example.cn"]]

    assert read_table("a.csv", ("\ufeff" + text).encode(), limits=LIMITS) == expected
    assert read_table("a.csv", text.encode("gbk"), limits=LIMITS) == expected


def test_rows_and_columns_past_the_limits_are_not_read():
    content = workbook_bytes([["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]])

    table = read_table("a.xlsx", content, limits=LIMITS, max_rows=2, max_columns=2)

    assert table == [["a", "b"], ["d", "e"]]


def test_files_that_cannot_be_read_say_why():
    macro = io.BytesIO(workbook_bytes([["name"]]))
    with zipfile.ZipFile(macro, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" * 10)

    codes = [
        code_of("a.xls", b"\xd0\xcf\x11\xe0"),
        code_of("a.xlsx", b"name,email\n"),
        code_of("a.xlsx", b"PK\x03\x04broken"),
        code_of("a.xlsx", macro.getvalue()),
        code_of("a.csv", b"\xff\xfe\x00\xd8\x00"),
        code_of("a.csv", b""),
        code_of("a.csv", b"name\n" * 10, Limits(max_bytes=20)),
    ]

    assert codes == ["extension", "magic", "unreadable", "macro", "encoding", "empty", "too_large"]


def test_records_name_their_columns_and_skip_blank_rows():
    table = [[" 姓名* ", "Email：", "other"], ["陈静", "chen@example.cn", "x"], ["", None, "y"]]

    assert records(table, COLUMNS) == (
        {"name", "email"},
        [(2, {"name": "陈静", "email": "chen@example.cn"})],
    )


def test_where_two_headers_name_one_column_the_first_filled_cell_wins():
    table = [["name", "姓名", "email"], ["", "陈静", "a@b.cn"], ["王伟", "Wang", "c@d.cn"]]

    assert records(table, COLUMNS)[1] == [
        (2, {"name": "陈静", "email": "a@b.cn"}),
        (3, {"name": "王伟", "email": "c@d.cn"}),
    ]
