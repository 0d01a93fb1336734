"""The screening's background jobs on the job framework (banzu.jobs): the automatic checks, the
plagiarism scan, the archive import, the archive's intake of a published edition and the rescan
of one application, and the services that start them. A scan writes its reports in one
transaction at its end, so a failure leaves the previous reports untouched. Every screening job
is the provincial admin's alone.

Every kind here is resumable: the checks and the scan replace their rows (one per application
and check, one report per application), the imports skip what an earlier run stored, so a run
started again after its worker was killed ends as one uninterrupted run would."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.core import filestore
from banzu.core.access import Someone, is_admin
from banzu.editions.models import Edition
from banzu.jobs import registry, services
from banzu.jobs.files import store_chunks
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Progress, Scope
from banzu.jobs.selectors import latest_job
from banzu.screening import archive, published, scan, selectors, services_checks

SCAN = "screening.scan"
CHECKS = "screening.checks"
ARCHIVE_IMPORT = "screening.archive_import"
RESCAN = "screening.rescan"
ARCHIVE_PUBLISHED = "screening.archive_published"


def edition_scope(edition: Edition) -> Scope:
    return Scope("edition", edition.pk, edition.pk)


def _admin(user: Someone, job: Job) -> bool:
    return is_admin(user)


def _edition(job: Job) -> Edition:
    return Edition.objects.get(pk=job.scope_id)


def _scan(job: Job, progress: Progress) -> dict[str, Any]:
    edition = _edition(job)
    summary = scan.run_scan(edition, job=job, progress=progress)
    services_checks.refresh_plagiarism_checks(edition)
    return summary


def _checks(job: Job, progress: Progress) -> dict[str, Any]:
    edition = _edition(job)
    checked = services_checks.run_checks_for_edition(
        edition, progress=lambda done, total: progress(done, total)
    )
    counts = selectors.check_counts(edition)
    return {
        "checked": checked,
        "clean": counts.clean,
        "failed": counts.failed,
        "to_look_at": counts.to_look_at,
        "pending": counts.pending,
    }


def _import(job: Job, progress: Progress) -> dict[str, Any]:
    user = job.created_by
    if user is None:  # start_import always names the admin who uploaded the ZIP
        raise archive.ArchiveError("The import has no user to record as the importer.")
    steps = _Steps(progress)
    summary = archive.import_archive(archive_path(job), user=user, progress=steps)
    steps.index_archive()
    return summary.as_json()


def _take_published(job: Job, progress: Progress) -> dict[str, Any]:
    user = job.created_by
    if user is None:  # start_archive_published always names the admin who published
        raise archive.ArchiveError("The intake has no user to record as the importer.")
    steps = _Steps(progress)
    summary = published.archive_published(_edition(job), user=user, progress=steps)
    steps.index_archive()
    return summary.as_json()


class _Steps:
    """An archive job's progress: its documents, then the rebuild of the archive's index for
    the plagiarism check (phase "indexing"), then its documents' count again for the result."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.done = self.total = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        self.progress(done, total)

    def index_archive(self) -> None:
        # A job run again after a crash finds the index stale and builds it.
        if scan.refresh_archive_index(
            lambda done, total: self.progress(done, total, {"phase": "indexing"})
        ):
            self.progress(self.done, self.total)


def archive_path(job: Job) -> Path:
    return filestore.path_for(job.stored_name)


def _rescan(job: Job, progress: Progress) -> dict[str, Any]:
    application = (
        Application.objects.select_related("edition", "team__enterprise")
        .filter(pk=job.scope_id, recommendation_number__isnull=False)
        .first()
    )
    if application is None:  # no longer in the screening: nothing to check
        return {"skipped": True}
    progress(0, 1)
    report = scan.rescan_application(application, job=job)
    progress(1, 1)
    return {"copy_ratio": str(report.copy_ratio), "error": report.error}


WAITING = _("Waiting for the worker…")
DOCUMENTS = _("%(done)s of %(total)s documents")
INDEXING = _("Indexing the archive for the plagiarism check…")

for kind in (
    JobKind(
        name=SCAN,
        resumable=True,
        label=_("Plagiarism scan"),
        run=_scan,
        can_see=_admin,
        start_action="screening.scan.start",
        texts={
            "empty": _("No scan has run yet."),
            "queued": WAITING,
            "running": _("Reading the documents…"),
            "running:indexing": INDEXING,
            "running:comparing": _("Comparing the documents…"),
            "progress": DOCUMENTS,
            "failed": _("The scan failed."),
        },
        result_template="screening/_scan_result.html",
        element_id="job-status-scan",
    ),
    JobKind(
        name=CHECKS,
        resumable=True,
        label=_("Automatic checks"),
        run=_checks,
        can_see=_admin,
        start_action="screening.checks.start",
        texts={
            "empty": _("The automatic checks have not run yet."),
            "queued": WAITING,
            "running": _("The automatic checks are running in the background."),
            "failed": _("The automatic checks failed."),
            "progress": DOCUMENTS,
        },
        result_template="screening/_checks_result.html",
        element_id="job-status-checks",
    ),
    JobKind(
        name=ARCHIVE_IMPORT,
        resumable=True,
        label=_("Archive import"),
        run=_import,
        can_see=_admin,
        start_action="screening.archive.import",
        exclusive=False,
        plain_errors=(archive.ArchiveError,),
        consumes_file=True,
        texts={
            "empty": _("No archive has been imported yet."),
            "queued": WAITING,
            "running": _("Importing the documents…"),
            "running:indexing": INDEXING,
            "progress": DOCUMENTS,
            "failed": _("The import failed."),
        },
        result_template="screening/_import_result.html",
        element_id="job-status-archive_import",
    ),
    JobKind(
        name=ARCHIVE_PUBLISHED,
        resumable=True,
        label=_("Archive intake of a published edition"),
        run=_take_published,
        can_see=_admin,
        start_action="screening.archive.take_published",
        plain_errors=(archive.ArchiveError,),
        texts={
            "empty": _("No published edition has been added to the archive yet."),
            "queued": WAITING,
            "running": _("Adding the published materials to the archive…"),
            "running:indexing": INDEXING,
            "progress": _("%(done)s of %(total)s published applications"),
            "progress:indexing": DOCUMENTS,
            "failed": _("The published materials could not be added to the archive."),
        },
        result_template="screening/_published_result.html",
        element_id="job-status-archive_published",
    ),
    JobKind(
        name=RESCAN,
        resumable=True,
        label=_("Plagiarism check of one application"),
        run=_rescan,
        can_see=_admin,
        start_action="screening.rescan.start",
        # Each change of materials is checked: a rescan under way read the older files.
        exclusive=False,
        texts={"queued": WAITING, "failed": _("The scan failed.")},
    ),
):
    registry.register(kind)


def start_scan(*, edition: Edition, user: User, ip: str | None = None) -> Job:
    """Queue a scan of the edition, or return the one under way (a second click starts none)."""
    return services.start(SCAN, edition_scope(edition), user, ip=ip, data={"edition": edition.year})


def start_checks(*, edition: Edition, user: User, ip: str | None = None) -> Job:
    """Queue the automatic checks of the edition (on demand, and when a batch arrives), or
    return the run under way."""
    return services.start(
        CHECKS, edition_scope(edition), user, ip=ip, data={"edition": edition.year}
    )


def start_import(
    *, edition: Edition, user: User, chunks: Iterable[bytes], ip: str | None = None
) -> Job:
    """Keep the uploaded ZIP in the private store and queue its import (the job deletes it)."""
    stored = store_chunks(chunks)
    return services.start(
        ARCHIVE_IMPORT,
        edition_scope(edition),
        user,
        ip=ip,
        file=stored,
        data={"edition": edition.year, "size": stored.size},
    )


def start_archive_published(*, edition: Edition, user: User) -> Job:
    """Queue the intake of the edition's published materials into the archive (after the
    publication has committed), or return the one under way."""
    return services.start(
        ARCHIVE_PUBLISHED, edition_scope(edition), user, data={"edition": edition.year}
    )


def queue_rescan(application: Application, *, user: User | None = None) -> Job:
    """After one application's materials changed: check that one again, in the background.
    The job row is made with the upload, so a failed rescan shows like any failed job."""
    return services.start(
        RESCAN,
        Scope("application", application.pk, application.edition_id),
        user,
        data={"application": application.pk},
    )


def latest(edition: Edition, kind: str) -> Job | None:
    return latest_job(kind, edition_scope(edition))


def latest_of_any_edition(kind: str) -> Job | None:
    """The newest job of this kind whatever its edition (the archive serves every edition)."""
    return Job.objects.filter(kind=kind).first()
