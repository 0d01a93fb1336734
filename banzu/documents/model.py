"""The neutral document model: what a document says and how it is laid out, in no file format.

A layout (in the app that owns the document, such as banzu.applications.attachment1) builds a
`Document` from the domain; the renderers turn the same `Document` into Word (docx.py), PDF
(pdf.py) and Excel (xlsx.py), through render.py. One layout per document, one renderer per
format, so every official form reads the same in all three. Nothing here imports Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

# Characters no document format may carry: C0 controls but tab and newline, DEL, and the
# bidirectional overrides (which can make a name read backwards). Word's vertical tab and form
# feed (from Shift+Enter and page breaks pasted into a form) become line breaks.
_DROPPED = dict.fromkeys([*range(0, 9), *range(14, 32), 127])
_DROPPED.update(dict.fromkeys([*range(8234, 8239), *range(8294, 8298)]))
_DROPPED.update({0x0B: "\n", 0x0C: "\n", 0x0D: None})


def clean_text(text: str) -> str:
    """Text safe for Word, Excel and PDF: see _DROPPED."""
    return text.translate(_DROPPED)


Align = Literal["left", "center", "right", "justify"]
ParaStyle = Literal["title", "subtitle", "body", "label", "heading", "note", "small"]


@dataclass(frozen=True)
class TextStyle:
    """How a paragraph style is set, the same in Word and PDF so the two copies paginate alike:
    the size, an exact line height (never a multiple of the font's own, which differs between
    SimSun, Noto CJK and the PDF's faces), the space around it, and the face (sans: 黑体)."""

    size_pt: float
    line_pt: float
    before_pt: float = 0
    after_pt: float = 0
    sans: bool = False


STYLES: dict[str, TextStyle] = {
    "title": TextStyle(18, 26, after_pt=12, sans=True),
    "subtitle": TextStyle(14, 20, after_pt=8, sans=True),
    "heading": TextStyle(10.5, 16, before_pt=3, sans=True),
    "label": TextStyle(10.5, 16, sans=True),
    "body": TextStyle(10.5, 16),
    "note": TextStyle(9, 13),
    # The finest print of a form that must stay one page (Attachment 3's criteria and comments).
    "small": TextStyle(8, 11),
}
# A page's margins (top, right, bottom, left), a cell's padding (vertical, horizontal), the space
# under a Line, the table rules: shared by the Word and PDF renderers.
PORTRAIT_MARGINS_MM = (22.0, 20.0, 20.0, 20.0)
LANDSCAPE_MARGINS_MM = (18.0, 15.0, 16.0, 15.0)
CELL_PADDING_MM = (1.2, 1.6)
LINE_AFTER_PT = 6.0
BORDER_PT = 0.75


# The association that runs the activity: the author of the documents it issues.
ASSOCIATION = "浙江省工程建设质量管理协会"


def chinese_date(day: date) -> str:
    """2026年12月6日, as an official document dates itself (no leading zeros, no spaces)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Para:
    """A paragraph. `title` is the form's heading (黑体), `heading` a section heading inside a
    cell, `label` a field name, `note` small print such as (请加盖公章), `small` finer print."""

    text: str
    style: ParaStyle = "body"
    align: Align = "left"
    # One term that must not wrap (a label: "主管部门联系人", never "主管部门联/系人"); the layout
    # gives its column the width, and a longer label is split into terms, one Para each.
    whole: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", clean_text(self.text).replace("\n", " "))


@dataclass(frozen=True)
class Line:
    """A line outside any table: a field on the left ("推荐编号" and its value, underlined as on the
    paper form when `underline`), optionally a second one on the right."""

    label: str
    value: str = ""
    right_label: str = ""
    right_value: str = ""
    underline: bool = True

    def __post_init__(self) -> None:
        for name in ("label", "value", "right_label", "right_value"):
            object.__setattr__(self, name, clean_text(getattr(self, name)))


@dataclass(frozen=True)
class Cell:
    """A table cell. `content` is its paragraphs; `value` is the typed value Excel should hold
    (a number stays a number), defaulting to the text. An empty cell stays empty."""

    content: tuple[Para, ...] = ()
    colspan: int = 1
    align: Align = "left"
    valign: Literal["top", "middle", "bottom"] = "middle"
    min_height_mm: float | None = None
    value: str | int | Decimal | None = None
    number_format: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.value, str):
            object.__setattr__(self, "value", clean_text(self.value))

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.content)

    @property
    def typed_value(self) -> str | int | Decimal | None:
        if self.value is not None:
            return self.value
        return self.text or None


@dataclass(frozen=True)
class Table:
    """`widths` are relative column widths (Excel reads them as character widths).
    The first `header_rows` rows repeat at the top of every page. Rows may break across pages
    (a long narrative flows on) unless `rows_can_split` is False."""

    widths: tuple[float, ...]
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 0
    rows_can_split: bool = True
    # The whole table on one page (Attachment 3's rubric with its total): Word keeps each row
    # with the next, the PDF avoids a break inside the table's rows.
    keep_together: bool = False
    # The last `run_on_rows` rows (Attachment 3's 评语) are outside what `keep_together` keeps:
    # they follow the kept rows and, when too long for the page, run on to the next one.
    run_on_rows: int = 0

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            span = sum(cell.colspan for cell in row)
            if span != len(self.widths):
                raise ValueError(
                    f"row {number} spans {span} columns, the table has {len(self.widths)}"
                )
        if not 0 <= self.run_on_rows <= len(self.rows) - self.header_rows:
            raise ValueError(f"{self.run_on_rows} run-on rows in a table of {len(self.rows)}")

    @property
    def kept_rows(self) -> int:
        """How many rows, from the top, `keep_together` keeps on one page."""
        return len(self.rows) - self.run_on_rows if self.keep_together else 0


@dataclass(frozen=True)
class Spacer:
    height_mm: float = 4


@dataclass(frozen=True)
class PageBreak:
    """What follows starts on a new page (PDF and Word; Excel has no pages and ignores it)."""


Block = Para | Line | Table | Spacer | PageBreak


@dataclass(frozen=True)
class Document:
    """`title` goes into the file's metadata; `sheet_name` names the Excel sheet."""

    title: str
    blocks: tuple[Block, ...]
    landscape: bool = False
    sheet_name: str = "Sheet1"
    author: str = ""
    footer_page_numbers: bool = True
    keywords: tuple[str, ...] = field(default_factory=tuple)
    # A line at the top right of every page, such as a draft's 草稿 mark.
    mark: str = ""

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


# --- Helpers the layouts share ----------------------------------------------------------------


def blank(value: object) -> str:
    """The text of a form value: None and empty stay blank (never "None"); a Decimal loses its
    trailing zeros (98.50 → 98.5, 100.00 → 100)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def paragraphs(text: str, style: ParaStyle = "body") -> tuple[Para, ...]:
    """A multi-line text as paragraphs; blank lines dropped, an empty text gives none. A leading
    full-width-space indent (　　, the Chinese paragraph indent) is kept; other spaces around a
    line are not."""
    lines = [
        line.strip(" \t\u00a0").rstrip()
        for line in clean_text(text.replace("\r\n", "\n")).split("\n")
    ]
    return tuple(Para(line, style) for line in lines if line.strip())


def label(text: str, *, colspan: int = 1, align: Align = "center") -> Cell:
    """A field name, kept whole; a newline in `text` splits it between two terms
    ("质量成本\n(万元/年)")."""
    return Cell(
        content=tuple(Para(term, "label", align, whole=True) for term in text.split("\n")),
        colspan=colspan,
        align=align,
    )


# The legal form ending a company's name, which a PDF keeps on one line ("…有限公司", never
# "…有限公/司").
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "总公司", "分公司")


def value(
    raw: object,
    *,
    colspan: int = 1,
    align: Align = "left",
    number_format: str | None = None,
) -> Cell:
    text = blank(raw)
    typed: str | int | Decimal | None
    if isinstance(raw, bool) or raw is None or raw == "":
        typed = text or None
    elif isinstance(raw, int | Decimal):
        typed = raw
    else:
        typed = text
    return Cell(
        content=(Para(text, "body", align),) if text else (),
        colspan=colspan,
        align=align,
        value=typed,
        number_format=number_format,
    )
