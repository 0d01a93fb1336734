"""The recommender's submission package: what the notice asks to be e-mailed to the province.

One folder per recommended application (`<number>_<team>`, in Attachment 2's order) with
Attachment 1 as Word and PDF, the team's current uploads and the recommender's stamped scan of
Attachment 1 (附件1（盖章）.pdf), and at the top Attachment 2 in its three formats with its stamped
scan (附件2（盖章）.pdf). A stamped scan not uploaded yet is named in 缺少盖章件.txt at the top.
`write_package` writes the ZIP to any writable, seekable binary file and reports progress after
each step (one per application, one for Attachment 2). Entries are readable by everyone once
extracted (banzu.core.zipfiles)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from pathlib import PurePosixPath
from typing import IO, Any

from django.utils import timezone

from banzu.accounts.models import Recommender
from banzu.applications.attachment1 import attachment1_file
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.core import filestore, zipfiles
from banzu.documents.render import FORMATS, Rendered, render, safe_filename
from banzu.editions.models import Edition
from banzu.recommendations import attachment2, stamped
from banzu.recommendations.attachment2 import attachment2_rows
from banzu.recommendations.models import StampedCopy
from banzu.recommendations.selectors import applications_for_recommender, batch_for_view

Progress = Callable[[int, int], None]

# The fixed names of the uploads inside a folder (the original name stays in the database).
UPLOAD_STEMS: dict[str, str] = {
    DocumentKind.MATERIALS_DOCX: "班组建设材料",
    DocumentKind.MATERIALS_PDF: "班组建设材料",
    DocumentKind.PRESENTATION: "发布PPT",
    # The enterprise's own scan, from before the recommendation (no number, no second stamp).
    DocumentKind.SIGNED_FORM: "附件1_申报表_单位盖章扫描件",
}
DEFAULT_SUFFIXES: dict[str, str] = {
    DocumentKind.MATERIALS_DOCX: ".docx",
    DocumentKind.MATERIALS_PDF: ".pdf",
    DocumentKind.PRESENTATION: ".pptx",
    DocumentKind.SIGNED_FORM: ".pdf",
}
KNOWN_SUFFIXES = {".docx", ".pdf", ".pptx", ".jpg", ".jpeg", ".png"}
UPLOAD_ORDER = list(UPLOAD_STEMS)


def package_filename(edition: Edition, recommender: Recommender) -> str:
    return safe_filename(f"推荐材料_{edition.year}_{recommender.short_name}") + ".zip"


def folder_name(application: Application) -> str:
    return safe_filename(f"{application.recommendation_number}_{application.team.name}")


def upload_name(document: Document) -> str:
    suffix = PurePosixPath(document.original_name).suffix.lower()
    if suffix not in KNOWN_SUFFIXES:
        suffix = DEFAULT_SUFFIXES[document.kind]
    return UPLOAD_STEMS[document.kind] + suffix


def recommended_applications(recommender: Recommender, edition: Edition) -> list[Application]:
    """The applications of Attachment 2, in its order."""
    return _applications_of(recommender, edition, attachment2_rows(recommender, edition))


def _applications_of(
    recommender: Recommender, edition: Edition, rows: Sequence[Any]
) -> list[Application]:
    found = applications_for_recommender(recommender, edition).in_bulk(
        [row.application_pk for row in rows]
    )
    return [found[row.application_pk] for row in rows]


def current_documents(application: Application) -> list[Document]:
    documents = application.documents.filter(superseded_at__isnull=True)
    return sorted(documents, key=lambda document: UPLOAD_ORDER.index(document.kind))


def _write_rendered(archive: zipfile.ZipFile, folder: str, rendered: Rendered) -> None:
    zipfiles.add_bytes(archive, f"{folder}{rendered.filename}", rendered.content)


def _write_scan(archive: zipfile.ZipFile, name: str, copy: StampedCopy) -> None:
    # Scans are compressed already: stored as they are.
    path = filestore.path_for(copy.stored_name)
    zipfiles.add_file(archive, name, path, compress_type=zipfile.ZIP_STORED)


def missing_text(lines: Sequence[str]) -> str:
    """The list at the package's top of the stamped scans not uploaded (CRLF: Notepad)."""
    head = ["以下盖章件尚未上传，将另行报送纸质件：", ""]
    return "\r\n".join([*head, *lines, ""])


def write_package(
    out: IO[bytes],
    *,
    recommender: Recommender,
    edition: Edition,
    progress: Progress | None = None,
) -> int:
    """Write the package to `out`; return the number of entries. Uploads are streamed from
    the store, so memory holds at most one rendered document at a time."""
    # Read the ranking once: the folders and Attachment 2's three formats list the same
    # applications even if a recommendation is made while the package is being built.
    rows = attachment2_rows(recommender, edition)
    applications = _applications_of(recommender, edition, rows)
    summary = attachment2.build(
        year=edition.year,
        recommender_name=recommender.name,
        rows=rows,
        today=timezone.localdate(),
    )
    summary_stem = safe_filename(attachment2.filename_stem(edition.year, recommender.short_name))
    scans = stamped.stamped_slots(batch_for_view(edition, recommender), rows)
    copies = {slot.application_pk: slot.current for slot in scans}
    total = len(applications) + 1
    report = progress or (lambda done, total: None)
    report(0, total)
    with zipfiles.writer(out) as archive:
        for done, application in enumerate(applications, start=1):
            folder = folder_name(application) + "/"
            zipfiles.add_folder(archive, folder)
            for fmt in ("docx", "pdf"):
                _write_rendered(archive, folder, attachment1_file(application, fmt))
            for document in current_documents(application):
                # Uploads are already compressed (.docx, .pdf, .pptx): store them as they are.
                zipfiles.add_file(
                    archive,
                    folder + upload_name(document),
                    filestore.path_for(document.stored_name),
                    compress_type=zipfile.ZIP_STORED,
                )
            if (scan := copies.get(application.pk)) is not None:
                _write_scan(archive, folder + stamped.ATTACHMENT1_NAME, scan)
            report(done, total)
        for fmt in FORMATS:
            zipfiles.add_bytes(archive, f"{summary_stem}.{fmt}", render(summary, fmt))
        if (scan := copies.get(None)) is not None:
            _write_scan(archive, stamped.ATTACHMENT2_NAME, scan)
        if missing := stamped.missing_lines(scans):
            zipfiles.add_bytes(archive, stamped.MISSING_NAME, missing_text(missing))
        report(total, total)
        return len(archive.infolist())
