"""The archive import's index template: a workbook whose first sheet has the index's columns,
in the Chinese names the import reads (banzu.screening.archive.COLUMNS), and a second sheet that
says what goes in each. Rendered by the documents kernel, like every workbook here."""

from __future__ import annotations

from banzu.documents.model import Document, Table, label, value
from banzu.documents.render import Rendered, render_sheets_file
from banzu.screening.archive import REQUIRED

# The header the template writes for each column the import reads, and what goes in it. A star
# marks a required column (the reader ignores it: banzu.uploads.spreadsheets.header_key).
INDEX_COLUMNS = (
    ("year", "年份", "活动年度，四位数字，如 2024"),
    ("enterprise", "单位名称", "申报单位全称"),
    ("team", "班组名称", "班组名称（可空）"),
    ("title", "经验名称", "典型经验名称（可空）"),
    ("file", "文件", "ZIP 内的文件名（含子目录），.docx、.pdf 或 .pptx"),
)


def _header(column: str, name: str) -> str:
    return f"{name}*" if column in REQUIRED else name


def index_template() -> Rendered:
    index = Document(
        title="往届材料归档索引",
        blocks=(
            Table(
                widths=(10.0, 36, 24, 36, 40),
                rows=(tuple(label(_header(c, n)) for c, n, _note in INDEX_COLUMNS),),
                header_rows=1,
            ),
        ),
        sheet_name="索引",
    )
    notes = Document(
        title="填写说明",
        blocks=(
            Table(
                widths=(14.0, 10, 60),
                rows=(
                    (label("列名"), label("必填"), label("填写内容")),
                    *(
                        (
                            value(name),
                            value("是" if column in REQUIRED else "否", align="center"),
                            value(note),
                        )
                        for column, name, note in INDEX_COLUMNS
                    ),
                ),
                header_rows=1,
            ),
        ),
        sheet_name="填写说明",
    )
    return render_sheets_file([index, notes], "往届材料归档索引模板")
