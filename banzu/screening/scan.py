"""The plagiarism scan of an edition: the applications' materials and the archive go into the
similarity engine's corpus, one `SimilarityReport` per application comes out.

Runs only in the worker (banzu.screening.jobs). The corpus: every application of the edition
with a recommendation number (its current Word materials, else its PDF) and every archive
document with text; the rubric's criteria and the edition's notice are templates, never counted.
Owners are normalised enterprise names on both sides, so an enterprise reusing its own earlier
document is reported apart (self-reuse).

The archive is not loaded whole: it is checked against through its compact index on disk
(`banzu.similarity.archive`, one folder per database under VAR_DIR/similarity), which loads into
the corpus only the archive documents that share seeds with this edition's and counts the others
in common text, so the reports are the ones the whole archive loaded would give. The index is
rebuilt after the archive changes (the import and the intake jobs call `refresh_archive_index`),
in a new folder swapped in atomically; a scan that finds it missing or stale builds it first.
The scan holds at most a few hundred archive documents at a time (`archive.scan`: the edition
scanned with the whole archive counted in common text, then each document checked against the
archive documents it shares the most seeds with, 48 at most, a batch of documents at a time).

A file that cannot be read marks its application's report with the reason; the scan goes on.
Reports are written in one transaction at the end, so a failed scan leaves the previous
reports as they were.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application
from banzu.applications.models import Document as StoredDocument
from banzu.core import filestore
from banzu.editions.models import Edition
from banzu.jobs.models import Job
from banzu.screening.checks import reaches
from banzu.screening.models import ArchiveDocument, ScreeningSettings, SimilarityReport
from banzu.similarity.archive import ArchiveIndex, attach, build
from banzu.similarity.archive import scan as archive_scan
from banzu.similarity.engine import Corpus, Document, Report
from banzu.similarity.extract import Extracted, extract

Progress = Callable[[int, int, dict[str, Any]], None]

APPLICATION_PREFIX = "application:"
ARCHIVE_PREFIX = "archive:"


def owner_key(enterprise_name: str) -> str:
    """The same enterprise however its name was typed: width, spaces and case folded."""
    folded = unicodedata.normalize("NFKC", enterprise_name).casefold()
    return "".join(folded.split())


def application_label(application: Application) -> str:
    return f"{application.recommendation_number} {application.team.name}"


def archive_label(document: ArchiveDocument) -> str:
    return " · ".join(
        str(part) for part in (document.year, document.enterprise_name, document.team_name) if part
    )


def read_stored(stored_name: str, suffix: str) -> Extracted:
    """The extracted text of a stored file; never raises (a failure is the error). The store
    keeps no extensions and the extractor reads by extension, so a hard link with the right one
    is made in the temp folder for the read."""
    link = filestore.temp_dir() / f"{uuid.uuid4().hex}{suffix}"
    try:
        os.link(filestore.path_for(stored_name), link)
        return extract(link)
    except OSError as error:
        message = f"could not open the file: {error.strerror or error}"
        return Extracted(text="", segments=(), error=message)
    except Exception as error:  # one file's crash must not stop a scan or the checks
        return Extracted(text="", segments=(), error=f"extraction failed: {error}")
    finally:
        filestore.discard(link)


def extract_stored(stored_name: str, suffix: str) -> tuple[str, str | None]:
    extracted = read_stored(stored_name, suffix)
    return extracted.text, extracted.error


def materials_text(application: Application) -> tuple[str, str | None]:
    """The current Word materials' text, else the PDF's; never raises (a crash is the reason)."""
    _document, text, error = read_materials(application)
    return text, error


def read_materials(application: Application) -> tuple[StoredDocument | None, str, str | None]:
    """The current materials file the text comes from (Word, else PDF), its text, and the
    reasons when neither reads (then the document is the first one uploaded, None if none)."""
    current = {
        document.kind: document
        for document in _current_documents(application)
        if document.kind in (DocumentKind.MATERIALS_DOCX, DocumentKind.MATERIALS_PDF)
    }
    reasons = []
    first: StoredDocument | None = None
    for kind, suffix in (
        (DocumentKind.MATERIALS_DOCX, ".docx"),
        (DocumentKind.MATERIALS_PDF, ".pdf"),
    ):
        document = current.get(kind)
        if document is None:
            reasons.append(f"{suffix[1:]}: not uploaded")
            continue
        first = first or document
        try:
            text, error = extract_stored(document.stored_name, suffix)
        except Exception as crash:  # one file's crash marks that file, never the scan
            text, error = "", f"{type(crash).__name__}: {crash}"
        if error is None:
            return document, text, None
        reasons.append(f"{suffix[1:]}: {error}")
    return first, "", "; ".join(reasons)


def materials_query() -> QuerySet[StoredDocument]:
    """The current materials files, to prefetch as `current_materials`."""
    return StoredDocument.objects.filter(
        superseded_at__isnull=True,
        kind__in=[DocumentKind.MATERIALS_DOCX, DocumentKind.MATERIALS_PDF],
    )


def _current_documents(application: Application) -> list[StoredDocument]:
    prefetched = getattr(application, "current_materials", None)
    if prefetched is not None:
        return list(prefetched)
    return list(application.documents.filter(superseded_at__isnull=True))


def template_texts(edition: Edition) -> list[str]:
    """The rubric's criteria and the edition's notice: text every application may repeat."""
    texts = [item.criteria for item in edition.rubric_items.all() if item.criteria.strip()]
    notice = Path(settings.BASE_DIR) / "docs" / f"notice-{edition.year}.txt"
    if notice.is_file():
        texts.append(notice.read_text(encoding="utf-8"))
    return texts


def scanned_applications(edition: Edition) -> QuerySet[Application]:
    return (
        Application.objects.filter(edition=edition, recommendation_number__isnull=False)
        .select_related("team__enterprise")
        .prefetch_related(
            Prefetch("documents", queryset=materials_query(), to_attr="current_materials")
        )
        .order_by("recommendation_number", "pk")
    )


@dataclass
class _Entry:
    """What a corpus document stands for, to label it in the reports."""

    kind: str
    pk: int
    label: str


def _settings(edition: Edition) -> ScreeningSettings:
    found, _created = ScreeningSettings.objects.get_or_create(edition=edition)
    return found


def _new_corpus(edition: Edition) -> Corpus:
    corpus = Corpus(common_df=_settings(edition).common_df)
    for text in template_texts(edition):
        corpus.add_template(text)
    return corpus


def _application_document(application: Application, text: str, error: str | None) -> Document:
    return Document(
        f"{APPLICATION_PREFIX}{application.pk}",
        text,
        owner=owner_key(application.team.enterprise.name),
        error=error,
    )


def _archive_entries(loaded: list[str], entries: dict[str, _Entry]) -> None:
    """Labels of the archive documents a check loaded from the index."""
    pks = [int(doc_id.removeprefix(ARCHIVE_PREFIX)) for doc_id in loaded]
    archive = ArchiveDocument.objects.filter(pk__in=pks).only(
        "pk", "year", "enterprise_name", "team_name"
    )
    for item in archive:
        entries[f"{ARCHIVE_PREFIX}{item.pk}"] = _Entry("archive", item.pk, archive_label(item))


# --- the archive's index on disk ---------------------------------------------------------------

IndexProgress = Callable[[int, int], None]


def index_root() -> Path:
    """The folder of the archive's index: one per database (tests and copies never share)."""
    database = str(connection.settings_dict["NAME"])
    key = hashlib.sha256(database.encode("utf-8")).hexdigest()[:12]
    return Path(settings.VAR_DIR) / "similarity" / key


def _indexed_archive() -> QuerySet[ArchiveDocument]:
    return ArchiveDocument.objects.exclude(text="").order_by("pk")


def _signature(rows: list[tuple[int, str]]) -> str:
    """What the index depends on: which documents (their text never changes) and owners."""
    digest = hashlib.sha256()
    for pk, enterprise_name in rows:
        digest.update(f"{pk}\t{owner_key(enterprise_name)}\n".encode())
    return digest.hexdigest()


def _current_signature() -> str:
    return _signature(list(_indexed_archive().values_list("pk", "enterprise_name")))


def _built_signature(root: Path) -> str | None:
    try:
        return (root / "current" / "signature").read_text(encoding="utf-8")
    except OSError:
        return None


@contextmanager
def _building() -> Iterator[Path]:
    """One build at a time per index (an import, an intake and a scan may all want one)."""
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with (root / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield root
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def refresh_archive_index(progress: IndexProgress | None = None) -> bool:
    """Rebuild the index if the archive changed since it was built; whether it was built."""
    with _building() as root:
        if _built_signature(root) == _current_signature():
            return False
        _build(root, progress)
        return True


def build_archive_index(progress: IndexProgress | None = None) -> Path:
    """Build the index of the archive in a new folder and swap it in (a symbolic link replaced
    in one step: a check under way keeps reading the folder it opened)."""
    with _building() as root:
        return _build(root, progress)


def _build(root: Path, progress: IndexProgress | None) -> Path:
    folder = root / f"index-{uuid.uuid4().hex}"
    # The documents there now (one added meanwhile makes the index stale, and the next scan or
    # archive job builds it again).
    last = _indexed_archive().order_by("-pk").values_list("pk", flat=True).first() or 0
    total = _indexed_archive().filter(pk__lte=last).count()
    rows: list[tuple[int, str]] = []

    def documents() -> Iterator[tuple[str, str, str]]:
        archive = _indexed_archive().filter(pk__lte=last).only("pk", "enterprise_name", "text")
        if progress is not None:
            progress(0, total)
        for done, item in enumerate(archive.iterator(chunk_size=200), start=1):
            rows.append((item.pk, item.enterprise_name))
            yield f"{ARCHIVE_PREFIX}{item.pk}", item.text, owner_key(item.enterprise_name)
            if progress is not None:
                progress(done, total)

    try:
        build(folder, documents())
        (folder / "signature").write_text(_signature(rows), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    current = root / "current"
    previous = current.resolve().name if current.is_symlink() else None
    link = root / f"current.{uuid.uuid4().hex}"
    link.symlink_to(folder.name)
    os.replace(link, current)
    for old in root.glob("index-*"):  # none is being built: this holds the lock
        # The previous folder stays for a check that opened it a moment ago.
        if old.name not in (folder.name, previous):
            shutil.rmtree(old, ignore_errors=True)
    return folder


def archive_index(edition: Edition, progress: IndexProgress | None = None) -> ArchiveIndex:
    """The archive's index, up to date (built first when missing or stale)."""
    refresh_archive_index(progress)
    return ArchiveIndex(
        (index_root() / "current").resolve(), common_df=_settings(edition).common_df
    )


def _seconds_left(started: float, done: int, total: int) -> int | None:
    if done == 0:
        return None
    elapsed = time.monotonic() - started
    return round(elapsed / done * (total - done))


def run_scan(edition: Edition, *, job: Job | None = None, progress: Progress) -> dict[str, Any]:
    """The whole edition against itself and the archive; returns the summary for the job."""
    started = time.monotonic()
    corpus = _new_corpus(edition)
    applications = list(scanned_applications(edition))
    total = len(applications)
    entries: dict[str, _Entry] = {}
    texts: dict[int, str] = {}
    progress(0, total, {"phase": "extracting", "seconds_left": None})
    for done, application in enumerate(applications, start=1):
        text, error = materials_text(application)
        texts[application.pk] = text
        document = _application_document(application, text, error)
        corpus.add(document)
        entries[document.id] = _Entry("application", application.pk, application_label(application))
        progress(
            done,
            total,
            {"phase": "extracting", "seconds_left": _seconds_left(started, done, total)},
        )
    index = archive_index(
        edition,
        lambda done, all_: progress(done, all_, {"phase": "indexing", "seconds_left": None}),
    )
    archive_count = len(index.ids)
    progress(total, total, {"phase": "comparing", "seconds_left": None})
    with closing(index):
        # A few hundred archive documents in memory at a time, not the archive.
        reports = archive_scan(corpus, index, templates=template_texts(edition))
    _archive_entries(
        sorted({s.id for report in reports for s in report.sources if s.archive}), entries
    )
    by_pk = {application.pk: application for application in applications}
    with transaction.atomic():
        for report in reports:
            pk = int(report.id.removeprefix(APPLICATION_PREFIX))
            save_report(by_pk[pk], report, texts[pk], entries, job=job)
    limits = _settings(edition)
    return {
        "phase": "done",
        "documents": total,
        "archive_documents": archive_count,
        "errors": sum(1 for report in reports if report.error),
        "flagged": sum(1 for report in reports if _flagged(report, limits)),
        "seconds": round(time.monotonic() - started, 1),
    }


def rescan_application(application: Application, *, job: Job | None = None) -> SimilarityReport:
    """One application's changed materials against the rest of the edition and the archive
    (Corpus.check, the archive through its index), updating its report alone."""
    edition = application.edition
    corpus = _new_corpus(edition)
    entries: dict[str, _Entry] = {}
    target: Application | None = None
    # The others' texts as the last scan extracted them (a changed file is rescanned itself).
    known = dict(
        SimilarityReport.objects.filter(application__edition=edition, error="")
        .exclude(text="")
        .values_list("application_id", "text")
    )
    for other in scanned_applications(edition):
        if other.pk == application.pk:
            target = other
            continue
        text, error = (known[other.pk], None) if other.pk in known else materials_text(other)
        if error is None:
            document = _application_document(other, text, None)
            corpus.add(document)
            entries[document.id] = _Entry("application", other.pk, application_label(other))
    target = target or application
    text, error = materials_text(target)
    document = corpus.prepare(_application_document(target, text, error))
    with closing(archive_index(edition)) as index:
        _archive_entries(attach(corpus, index, [document]), entries)
    report = corpus.check(document)
    with transaction.atomic():
        return save_report(target, report, text, entries, job=job)


def _flagged(report: Report, limits: ScreeningSettings) -> bool:
    # As the plagiarism check decides: on the figures as shown.
    return reaches(report.copy_ratio, float(limits.copy_ratio_flag)) or reaches(
        report.max_source_ratio, float(limits.source_ratio_flag)
    )


def save_report(
    application: Application,
    report: Report,
    text: str,
    entries: dict[str, _Entry],
    *,
    job: Job | None,
) -> SimilarityReport:
    sources = []
    for source in report.sources:
        entry = entries[source.id]
        sources.append(
            {
                "kind": entry.kind,
                "pk": entry.pk,
                "label": entry.label,
                "same_owner": source.same_owner,
                "copied_chars": source.copied_chars,
                "ratio": source.ratio,
                "passages": [
                    [p.start, p.end, p.source_start, p.source_end] for p in source.passages
                ],
            }
        )
    saved, _created = SimilarityReport.objects.update_or_create(
        application=application,
        defaults={
            "job": job,
            "chars": report.chars,
            "copied_chars": report.copied_chars,
            "copy_ratio": Decimal(str(report.copy_ratio)),
            "max_source_ratio": Decimal(str(report.max_source_ratio)),
            "self_copied_chars": report.self_copied_chars,
            "copy_ratio_excluding_self": Decimal(str(report.copy_ratio_excluding_self)),
            "common_chars": report.common_chars,
            "sources": sources,
            "common_spans": [list(span) for span in report.common_spans],
            "text": text,
            "error": report.error or "",
            "scanned_at": timezone.now(),
        },
    )
    return saved
