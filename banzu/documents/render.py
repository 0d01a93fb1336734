"""Render any layout's `Document` in one of the three formats: the kernel's one entry point.

`render(document, fmt)` gives bytes; `render_file(document, stem, fmt)` gives a `Rendered` (a safe
file name, the content type, the bytes), which is what the app owning a form hands its views.
No domain here: each attachment's layout lives in the app whose data it shows."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

from banzu.documents import docx, fonts, pdf, xlsx
from banzu.documents.model import Document

Format = Literal["docx", "pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("docx", "pdf", "xlsx")
CONTENT_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": xlsx.XLSX_CONTENT_TYPE,
}


def as_format(fmt: str, allowed: tuple[Format, ...] = FORMATS) -> Format | None:
    """The format named in a URL, if it is one of `allowed`."""
    for known in allowed:
        if fmt == known:
            return known
    return None


@dataclass(frozen=True)
class Rendered:
    filename: str
    content_type: str
    content: bytes


@functools.cache
def font_set() -> fonts.FontSet:
    return fonts.prepare(settings.DOCUMENT_FONT_DIR)


def render(document: Document, fmt: Format) -> bytes:
    if fmt == "pdf":
        return pdf.render(document, font_set())
    if fmt == "docx":
        return docx.render(document)
    if fmt == "xlsx":
        return xlsx.render(document)
    raise ValueError(f"unknown format {fmt!r}")


def render_file(document: Document, stem: str, fmt: Format) -> Rendered:
    return Rendered(f"{safe_filename(stem)}.{fmt}", CONTENT_TYPES[fmt], render(document, fmt))


def render_sheets_file(documents: Sequence[Document], stem: str) -> Rendered:
    """One Excel workbook with a sheet per document (one table each)."""
    return Rendered(
        f"{safe_filename(stem)}.xlsx", CONTENT_TYPES["xlsx"], xlsx.render_sheets(documents)
    )


def safe_filename(stem: str) -> str:
    """A file name any system accepts: no path separators or characters Windows refuses,
    at most 120 characters (Chinese names are kept; the response encodes them per RFC 6266)."""
    cleaned = "".join(
        "_" if ch in '\\/:*?"<>|' or ord(ch) < 32 or ord(ch) == 0x7F else ch
        for ch in stem
        if unicodedata.category(ch) != "Cf"  # bidi overrides, zero-width characters
    ).strip(". ")
    return cleaned[:120] or "document"
