"""Render a `Document` as PDF with WeasyPrint, embedding subsets of the CJK fonts.

Subsetting is HarfBuzz's when libharfbuzz-subset is installed (about 0.2 s per document) and
fontTools' otherwise (about 1 s, hence the reduced fonts of banzu.documents.fonts).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from banzu.documents.fonts import FontSet
from banzu.documents.model import (
    BORDER_PT,
    CELL_PADDING_MM,
    LANDSCAPE_MARGINS_MM,
    LEGAL_FORMS,
    LINE_AFTER_PT,
    PORTRAIT_MARGINS_MM,
    STYLES,
    Cell,
    Document,
    Line,
    PageBreak,
    Para,
    Spacer,
    Table,
)

STYLESHEET = Path(__file__).with_name("pdf.css")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


_LEGAL_FORM = re.compile("|".join(re.escape(form) for form in LEGAL_FORMS))


def _text(text: str) -> str:
    """Escaped, with a company's legal form kept on one line."""
    parts: list[str] = []
    last = 0
    for match in _LEGAL_FORM.finditer(text):
        parts.append(_esc(text[last : match.start()]))
        parts.append(f'<span class="whole">{_esc(match.group())}</span>')
        last = match.end()
    parts.append(_esc(text[last:]))
    return "".join(parts)


def _para(para: Para) -> str:
    whole = " whole" if para.whole else ""
    # Tab-separated columns stay apart, at Word's default tab stops (half an inch).
    tabs = " tabs" if "\t" in para.text else ""
    return f'<p class="{para.style} align-{para.align}{whole}{tabs}">{_text(para.text)}</p>'


def _line(line: Line) -> str:
    underline = " underline" if line.underline else ""

    def field(label: str, value: str) -> str:
        if not label and not value:
            return "<span></span>"
        return (
            f'<span><span class="label">{_esc(label)}</span>'
            f'<span class="value{underline}">{_text(value) or "&#8203;"}</span></span>'
        )

    return (
        '<div class="line">'
        + field(line.label, line.value)
        + field(line.right_label, line.right_value)
        + "</div>"
    )


def _cell(cell: Cell) -> str:
    attributes = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
    style = f' style="height: {cell.min_height_mm}mm"' if cell.min_height_mm else ""
    inner = "".join(
        _para(Para(p.text, p.style, p.align if p.align != "left" else cell.align, p.whole))
        for p in cell.content
    )
    return f'<td class="valign-{cell.valign}"{attributes}{style}>{inner}</td>'


def _table(table: Table) -> str:
    total = sum(table.widths)
    columns = "".join(f'<col style="width: {w / total * 100:.3f}%">' for w in table.widths)
    head = table.rows[: table.header_rows]
    kept = table.rows[table.header_rows : table.kept_rows]
    body = table.rows[max(table.header_rows, table.kept_rows) :]
    classes = ' class="rows-together"' if not table.rows_can_split else ""
    parts = [f"<table{classes}><colgroup>{columns}</colgroup>"]
    if head:
        parts.append("<thead>")
        parts.extend("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in head)
        parts.append("</thead>")
    if kept:
        # One row group that does not break: it moves to the next page whole.
        parts.append('<tbody class="together">')
        parts.extend("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in kept)
        parts.append("</tbody>")
    if body:
        # Rows after kept ones run on (break inside) to the next page.
        run_on = ' class="run-on"' if kept else ""
        parts.append("<tbody>")
        parts.extend(f"<tr{run_on}>" + "".join(_cell(c) for c in row) + "</tr>" for row in body)
        parts.append("</tbody>")
    parts.append("</table>")
    return "".join(parts)


def to_html(document: Document) -> str:
    blocks: list[str] = []
    for block in document.blocks:
        if isinstance(block, Para):
            blocks.append(_para(block))
        elif isinstance(block, Line):
            blocks.append(_line(block))
        elif isinstance(block, Table):
            blocks.append(_table(block))
        elif isinstance(block, Spacer):
            blocks.append(f'<div class="spacer" style="height: {block.height_mm}mm"></div>')
        elif isinstance(block, PageBreak):
            blocks.append('<div class="page-break"></div>')
    classes = ["landscape" if document.landscape else "portrait"]
    if document.footer_page_numbers:
        classes.append("with-page-numbers")
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{_esc(document.title)}</title>"
        f'<meta name="author" content="{_esc(document.author)}">'
        f'<meta name="keywords" content="{_esc(", ".join(document.keywords))}">'
        f'</head><body><div class="{" ".join(classes)}">{"".join(blocks)}</div></body></html>'
    )


def _margins(margins: tuple[float, float, float, float]) -> str:
    return " ".join(f"{mm}mm" for mm in margins)


def metrics_css() -> str:
    """Page margins, text sizes, exact line heights and cell padding: the Word copy's, from the
    one table in model.py, so that both copies of a form break their pages alike."""
    body = STYLES["body"]
    vertical, horizontal = CELL_PADDING_MM
    rules = [
        f"@page {{ margin: {_margins(PORTRAIT_MARGINS_MM)}; }}",
        f"@page landscape {{ margin: {_margins(LANDSCAPE_MARGINS_MM)}; }}",
        f"@page landscape-numbered {{ margin: {_margins(LANDSCAPE_MARGINS_MM)}; }}",
        f"html {{ font-size: {body.size_pt}pt; line-height: {body.line_pt}pt; }}",
        f"div.line {{ margin: 0 0 {LINE_AFTER_PT}pt; }}",
        f"td {{ border: {BORDER_PT}pt solid #000; padding: {vertical}mm {horizontal}mm; }}",
    ]
    rules += [
        f"p.{name} {{ font-size: {style.size_pt}pt; line-height: {style.line_pt}pt; "
        f"margin: {style.before_pt}pt 0 {style.after_pt}pt; }}"
        for name, style in STYLES.items()
    ]
    return "\n".join(rules) + "\n"


def mark_css(mark: str) -> str:
    """The document's mark (a draft's 草稿) at the top right of every page, as in the Word copy's
    header."""
    if not mark:
        return ""
    quoted = mark.replace("\\", "\\\\").replace('"', '\\"')
    style = STYLES["subtitle"]
    return (
        f'@page {{ @top-right {{ content: "{quoted}"; font-family: "BZ Sans", "BZ Sans Full"; '
        f"font-size: {style.size_pt}pt; color: #c00; vertical-align: bottom; }} }}\n"
    )


def font_faces(fonts: FontSet) -> str:
    """The @font-face rules of the embedded CJK faces (also the certificate's own page). The rare
    faces, which hold only ideographs beyond the BMP, come last in each font-family list of
    pdf.css. (No unicode-range: WeasyPrint would take it as the face's whole repertoire.)"""
    faces = (
        ("BZ Serif", fonts.serif),
        ("BZ Sans", fonts.sans),
        ("BZ Serif Full", fonts.serif_full),
        ("BZ Sans Full", fonts.sans_full),
        *fonts.rare,
    )
    return "".join(
        f'@font-face {{ font-family: "{name}"; src: url("{path.as_uri()}"); }}\n'
        for name, path in faces
    )


def render(document: Document, fonts: FontSet) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    # The HTML is our own escaped text; the only resources are the local font files.
    fetcher = URLFetcher(allowed_protocols=["file"])
    font_config = FontConfiguration()
    stylesheet = CSS(
        string=font_faces(fonts)
        + STYLESHEET.read_text(encoding="utf-8")
        + metrics_css()
        + mark_css(document.mark),
        font_config=font_config,
        url_fetcher=fetcher,
    )
    pdf: bytes | None = HTML(string=to_html(document), url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config
    )
    assert pdf is not None
    return pdf
