"""The archive import's reasons in words, in the reader's language.

The import (banzu.screening.archive) runs in the worker and keeps a reason as a code and its
parameters: in the job's summary for a row it skipped or could not import, on the ArchiveError
that stops it. They are worded here when read, so the admin reading in English sees English and in
Chinese sees Chinese. A summary from before the codes holds a finished sentence ("reason"), shown
as it is; so is an ArchiveError given a sentence instead of a code.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from banzu.applications.messages import upload_message
from banzu.screening.models import ArchiveDocument

# The index's columns as the admin writes them: the English and the Chinese header.
COLUMN_NAMES = {
    "year": "year/年份",
    "enterprise": "enterprise/单位名称",
    "team": "team/班组名称",
    "title": "title/经验名称",
    "file": "file/文件",
}


def archive_message(code: str, params: Mapping[str, Any]) -> str:
    """Why the ZIP as a whole could not be imported."""
    if code == "zip_refused":
        return upload_message(params["upload"], params["max_bytes"])
    if code == "index_columns":
        missing = ", ".join(COLUMN_NAMES.get(column, column) for column in params["missing"])
        return _(
            "The index %(name)s lacks the column(s) %(columns)s (year/年份, "
            "enterprise/单位名称, team/班组名称, title/经验名称, file/文件)."
        ) % {"name": params["name"], "columns": missing}
    messages = {
        "not_zip": _("The file is not a readable ZIP archive."),
        "no_index": _("The ZIP holds no index file (a .csv or .xlsx listing the documents)."),
        "index_too_large": _("The index %(name)s is larger than %(mb)s MB."),
        "index_damaged": _("The index %(name)s cannot be read from the ZIP (it is damaged)."),
        "index_empty": _("The index %(name)s is empty."),
        "index_encoding": _("The CSV index %(name)s is neither UTF-8 nor GBK text."),
        "index_csv": _("The CSV index %(name)s cannot be read."),
        "index_unreadable": _("The index %(name)s is not a readable Excel workbook."),
    }
    message = messages.get(code)
    return code if message is None else message % dict(params)


def row_message(code: str, params: Mapping[str, Any]) -> str:
    """Why one row of the index was not imported (an error) or skipped."""
    if code == "refused":
        return upload_message(params["upload"], params["max_bytes"])
    if code in ("too_long", "invalid"):
        label = _field_label(params["field"])
        if code == "too_long":
            return _("The %(field)s is longer than %(max)s characters.") % {
                "field": label,
                "max": params["max"],
            }
        return _("The %(field)s is not valid.") % {"field": label}
    messages = {
        "year": _("The year “%(value)s” is not a year."),
        "no_enterprise": _("The enterprise is missing."),
        "no_file": _("No file is given."),
        "not_in_zip": _("The file “%(file)s” is not in the ZIP."),
        "kind": _("“%(file)s” is not a Word, PDF or PowerPoint file (.docx, .pdf, .pptx)."),
        "damaged": _("The file “%(file)s” is damaged in the ZIP."),
        "duplicate": _("The same file is already in the archive."),
        "imported_before": _("The same row and file name are already in the archive."),
        # The intake of a published edition (banzu.screening.published).
        "no_materials": _("No materials file is uploaded."),
        "not_valid": _("The archive refused the document: %(details)s"),
        "unreadable": _("The materials file cannot be read (%(details)s)."),
    }
    message = messages.get(code)
    return code if message is None else message % dict(params)


def _field_label(name: str) -> str:
    try:
        field = ArchiveDocument._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(field, "verbose_name", name))


def reason(item: Mapping[str, Any]) -> str:
    """A row of the summary's `errors` or `skipped` list, in words."""
    if "code" in item:
        return row_message(item["code"], item.get("params") or {})
    return str(item.get("reason", ""))
