"""Excel rows as tall as their wrapped text (LibreOffice and WPS do not grow a row a file leaves
at its default height), header terms kept whole, the header frozen and printed on every page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from banzu.documents import xlsx
from banzu.documents.model import Cell, Document, Line, Para, Table, label, value

# Counted as Excel and WPS on Windows draw them: a column w wide holds (7w - 5) / 7.5 Latin
# widths a line, a CJK character taking two; a line of 11-point text is 16 points.
ENTERPRISE = "浙江省建工集团有限责任公司第三工程分公司杭州湾新区项目部"  # 28 CJK: 56 widths


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("测" * 4, 10, 1),  # 8 widths of 8.7
        ("测" * 5, 10, 2),
        (ENTERPRISE, 30, 3),  # 13 characters a line of 27.3 widths
        ("推荐单位评分", 12, 2),
        ("a" * 50, 10, 6),  # a word wider than the column is broken where it must be
        ("Quality team of the year", 10, 3),  # Latin words are kept whole: 7 + 4 + 12 → 3
        ("第一行\n第二行", 30, 2),  # line breaks are kept
        ("测测测，测", 6, 3),  # 4.0 widths a line: "测" "测" "测，" "测" → the comma stays
        ("", 10, 1),
    ],
)
def test_wrapped_lines_counts_cjk_as_two_latin_widths(text, width, lines):
    assert xlsx.wrapped_lines(text, width) == lines


def test_closing_punctuation_never_starts_a_line():
    # 8.7 widths a line: "材料得分（" does not fit after 材料得分, the bracket goes with 满.
    assert xlsx.wrapped_lines("材料得分（满分）", 10) == 2
    assert xlsx.wrapped_lines("测测测测。", 10) == 2


def test_row_height_is_sixteen_points_a_line_and_four_of_padding():
    assert xlsx.row_height([("测" * 4, 10), (ENTERPRISE, 30)]) == 52
    assert xlsx.row_height([("测" * 5, 10)]) == 36
    assert xlsx.row_height([("测" * 5, 10)], size=14) == 45  # 20.5 points a line
    # A row that fits on one line keeps the reader's default height, unless asked for more.
    assert xlsx.row_height([("测" * 4, 10)]) is None
    assert xlsx.row_height([("测" * 4, 10)], minimum=28.3) == 28.3


def _sheet(document: Document):
    return load_workbook(io.BytesIO(xlsx.render(document))).active


LIST = Document(
    title="申报一览",
    blocks=(
        Para("申报一览", "title", "center"),
        Line("推荐单位（盖章）：", "杭州市建筑业协会", "填报日期：", "2026年4月20日"),
        Para("说明：" + "本表按推荐单位评分从高到低排列，评分相同的按推荐编号排列。" * 3, "note"),
        Table(
            widths=(6.0, 30, 12, 10),
            rows=(
                (label("序号"), label("单位名称"), label("推荐单位评分"), label("备注")),
                (value(1), value(ENTERPRISE), value(91), value("")),
                (value(2), value("杭州市第一建筑工程有限公司"), value(90), value("")),
                (Cell(min_height_mm=12), value("短"), value(89), value("")),
            ),
            header_rows=1,
        ),
    ),
    landscape=True,
    sheet_name="一览",
)


def test_table_rows_get_the_height_of_their_longest_cell():
    sheet = _sheet(LIST)

    assert [sheet.row_dimensions[row].height for row in range(4, 8)] == [None, 52, None, 34]


def test_title_and_a_long_note_get_their_heights():
    sheet = _sheet(LIST)

    # The title keeps its 30 points. The line's left half (34 widths) wraps in its two columns
    # (36 wide, 32.9 widths a line). The note (180 widths) takes four lines across the table
    # (60 wide once 推荐单位评分 widened its column: 55.3 widths a line).
    assert [sheet.row_dimensions[row].height for row in (1, 2, 3)] == [30, 36, 68]
    assert sheet["A3"].alignment.wrap_text is True


def test_a_short_header_term_widens_its_column():
    sheet = _sheet(LIST)

    # 推荐单位评分 needs (12 × 7.5 + 5) / 7 = 13.6 → 14; 序号 and 备注 fit their columns.
    assert [sheet.column_dimensions[c].width for c in "ABCD"] == [6, 30, 14, 10]


def test_a_two_term_header_label_gets_two_lines_each_term_whole():
    table = Table(
        widths=(10.0, 8),
        rows=(
            (
                Cell(content=(Para("材料得分", "label"), Para("（满分100）", "label"))),
                label("标准差"),
            ),
            (value(1), value(2)),
        ),
        header_rows=1,
    )
    sheet = _sheet(Document(title="表", blocks=(table,)))

    # （满分100）is 11 widths: its column widens to (11 × 7.5 + 5) / 7 = 12.5.
    assert sheet["A1"].value == "材料得分\n（满分100）"
    assert (sheet.column_dimensions["A"].width, sheet.row_dimensions[1].height) == (12.5, 36)


def test_header_is_frozen_and_printed_on_every_landscape_page():
    sheet = _sheet(LIST)

    assert (sheet.freeze_panes, sheet.print_title_rows) == ("A5", "$4:$4")
    assert [
        sheet.page_setup.orientation,
        sheet.page_setup.fitToWidth,
        sheet.page_setup.fitToHeight,
        sheet.sheet_properties.pageSetUpPr.fitToPage,
        sheet.print_options.horizontalCentered,
    ] == ["landscape", 1, 0, True, True]


def test_every_sheet_of_a_workbook_freezes_its_own_header():
    short = Document(
        title="短表",
        blocks=(Table(widths=(10.0,), rows=((label("名称"),), (value("甲"),)), header_rows=1),),
        sheet_name="短表",
    )
    book = load_workbook(io.BytesIO(xlsx.render_sheets([LIST, short])))

    assert [(s.title, s.freeze_panes, s.print_title_rows) for s in book.worksheets] == [
        ("一览", "A5", "$4:$4"),
        ("短表", "A2", "$1:$1"),
    ]
