"""The recommender's submission package: what the notice asks to be e-mailed to the province.

One folder per recommended application (`<number>_<team>`, in Attachment 2's order) with
Attachment 1 as Word and PDF and the team's current uploads, and Attachment 2 in its three
formats at the top. `write_package` writes the ZIP to any writable, seekable binary file and
reports progress after each step (one per application, one for Attachment 2)."""

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
from banzu.core import filestore
from banzu.documents.render import FORMATS, Rendered, render, safe_filename
from banzu.editions.models import Edition
from banzu.recommendations import attachment2
from banzu.recommendations.attachment2 import attachment2_rows
from banzu.recommendations.selectors import applications_for_recommender

Progress = Callable[[int, int], None]

# The fixed names of the uploads inside a folder (the original name stays in the database).
UPLOAD_STEMS: dict[str, str] = {
    DocumentKind.MATERIALS_DOCX: "班组建设材料",
    DocumentKind.MATERIALS_PDF: "班组建设材料",
    DocumentKind.PRESENTATION: "发布PPT",
    DocumentKind.SIGNED_FORM: "附件1_申报表_盖章扫描件",
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
    archive.writestr(f"{folder}{rendered.filename}", rendered.content)


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
    total = len(applications) + 1
    report = progress or (lambda done, total: None)
    report(0, total)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, application in enumerate(applications, start=1):
            folder = folder_name(application) + "/"
            for fmt in ("docx", "pdf"):
                _write_rendered(archive, folder, attachment1_file(application, fmt))
            for document in current_documents(application):
                # Uploads are already compressed (.docx, .pdf, .pptx): store them as they are.
                archive.write(
                    filestore.path_for(document.stored_name),
                    folder + upload_name(document),
                    compress_type=zipfile.ZIP_STORED,
                )
            report(done, total)
        for fmt in FORMATS:
            archive.writestr(f"{summary_stem}.{fmt}", render(summary, fmt))
        report(total, total)
        return len(archive.infolist())
