"""The screening's background jobs (the plagiarism scan, the archive import, the rescan of one
application) and the services that start them.

As with the submission package (banzu.documents.tasks): the request only creates the `Job` row
and queues the task after the commit; the worker claims the job by its state, reports progress
with plain UPDATEs the status poll sees at once, and ends it done or failed. A scan writes its
reports in one transaction at its end, so a failure leaves the previous reports untouched."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from banzu.applications.models import Application
from banzu.audit.services import record
from banzu.core import filestore
from banzu.editions.models import Edition
from banzu.screening import archive, scan, services_checks
from banzu.screening.enums import JobState
from banzu.screening.models import Job

logger = logging.getLogger(__name__)

# A queued or running job that has not moved for this long lost its worker.
STALE_AFTER = dt.timedelta(minutes=15)
ERROR_LIMIT = 1000
ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


def latest_job(edition: Edition, kind: str) -> Job | None:
    return Job.objects.filter(edition=edition, kind=kind).select_related("edition").first()


def expire_stale(edition: Edition) -> int:
    """Jobs whose worker was stopped are marked failed, so the page stops waiting on them."""
    return Job.objects.filter(
        edition=edition,
        state__in=ACTIVE_STATES,
        updated_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        state=JobState.FAILED,
        error="The job stopped without finishing (the worker was stopped).",
        finished_at=timezone.now(),
    )


def _running(edition: Edition, kind: str) -> Job | None:
    return (
        Job.objects.filter(edition=edition, kind=kind, state__in=ACTIVE_STATES)
        .select_related("edition")
        .first()
    )


def start_scan(*, edition: Edition, user: Any, ip: str | None = None) -> Job:
    """Queue a scan of the edition, or return the one under way (a second click starts none)."""
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        expire_stale(edition)
        running = _running(edition, Job.Kind.SCAN)
        if running is not None:
            return running
        job = Job(edition=edition, kind=Job.Kind.SCAN, requested_by=user)
        job.full_clean()
        job.save()
        record(
            action="screening.scan.start",
            actor=user,
            target=job,
            data={"edition": edition.year},
            ip=ip,
        )
        transaction.on_commit(lambda: _enqueue(run_scan_job, job.pk))
    return job


def start_checks(*, edition: Edition, user: Any, ip: str | None = None) -> Job:
    """Queue the automatic checks of the edition (on demand, and when a batch arrives), or
    return the run under way."""
    with transaction.atomic():
        Edition.objects.select_for_update().filter(pk=edition.pk).first()
        expire_stale(edition)
        running = _running(edition, Job.Kind.CHECKS)
        if running is not None:
            return running
        job = Job(edition=edition, kind=Job.Kind.CHECKS, requested_by=user)
        job.full_clean()
        job.save()
        record(
            action="screening.checks.start",
            actor=user,
            target=job,
            data={"edition": edition.year},
            ip=ip,
        )
        transaction.on_commit(lambda: _enqueue(run_checks_job, job.pk))
    return job


def start_import(
    *, edition: Edition, user: Any, chunks: Iterable[bytes], ip: str | None = None
) -> Job:
    """Keep the uploaded ZIP in the private store and queue its import."""
    temp = filestore.write_temp(chunks)
    try:
        stored_name = filestore.commit_temp(temp)
    finally:
        filestore.discard(temp)
    try:
        with transaction.atomic():
            job = Job(
                edition=edition,
                kind=Job.Kind.ARCHIVE_IMPORT,
                requested_by=user,
                upload_name=stored_name,
            )
            job.full_clean()
            job.save()
            record(
                action="screening.archive.import",
                actor=user,
                target=job,
                data={
                    "edition": edition.year,
                    "size": filestore.path_for(stored_name).stat().st_size,
                },
                ip=ip,
            )
            transaction.on_commit(lambda: _enqueue(import_archive_job, job.pk))
    except BaseException:
        filestore.discard(filestore.path_for(stored_name))
        raise
    return job


def queue_rescan(application: Application) -> None:
    """After one application's materials changed: check that one again, in the background."""
    transaction.on_commit(lambda: _enqueue_rescan(application.pk))


def _enqueue(job_task: Any, job_pk: int) -> None:
    try:
        job_task.enqueue(job_pk)
    except Exception as error:  # a broken queue must not break the request that committed
        logger.exception("could not queue screening job %s", job_pk)
        _fail(job_pk, error)


def _enqueue_rescan(application_pk: int) -> None:
    try:
        rescan_application_task.enqueue(application_pk)
    except Exception:
        logger.exception("could not queue the rescan of application %s", application_pk)


def _claim(job_pk: int) -> Job | None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_pk, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:  # taken by another worker, or expired
        return None
    return Job.objects.select_related("edition", "requested_by").get(pk=job_pk)


def _progress(job_pk: int, done: int, total: int, summary: dict[str, Any] | None = None) -> None:
    # A plain UPDATE outside any transaction: the status poll sees each step at once.
    fields: dict[str, Any] = {"done": done, "total": total, "updated_at": timezone.now()}
    if summary is not None:
        fields["summary"] = summary
    Job.objects.filter(pk=job_pk).update(**fields)


def _finish(job_pk: int, summary: dict[str, Any]) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_pk).update(
        state=JobState.DONE, summary=summary, finished_at=now, updated_at=now
    )


def _fail(job_pk: int, error: BaseException) -> None:
    # An archive the admin can fix gets its plain reason; anything else its type too.
    if isinstance(error, archive.ArchiveError):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    Job.objects.filter(pk=job_pk).update(
        state=JobState.FAILED,
        error=message[:ERROR_LIMIT],
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


@task()
def run_scan_job(job_pk: int) -> str:
    """Runs in the worker: the whole edition against itself and the archive."""
    job = _claim(job_pk)
    if job is None:
        return "skipped"
    try:
        summary = scan.run_scan(
            job.edition,
            job=job,
            progress=lambda done, total, state: _progress(job_pk, done, total, state),
        )
    except BaseException as error:  # also a stopped worker: the old reports stay as they were
        logger.exception("screening scan %s failed", job_pk)
        _fail(job_pk, error)
        if not isinstance(error, Exception):
            raise
        return "failed"
    services_checks.refresh_plagiarism_checks(job.edition)
    _finish(job_pk, summary)
    return "done"


@task()
def run_checks_job(job_pk: int) -> str:
    """Runs in the worker: every automatic check of every recommended application."""
    job = _claim(job_pk)
    if job is None:
        return "skipped"
    try:
        checked = services_checks.run_checks_for_edition(
            job.edition, progress=lambda done, total: _progress(job_pk, done, total)
        )
    except BaseException as error:
        logger.exception("screening checks %s failed", job_pk)
        _fail(job_pk, error)
        if not isinstance(error, Exception):
            raise
        return "failed"
    _finish(job_pk, {"checked": checked})
    return "done"


@task()
def import_archive_job(job_pk: int) -> str:
    """Runs in the worker: the uploaded ZIP into the archive, then the ZIP is deleted."""
    job = _claim(job_pk)
    if job is None:
        return "skipped"
    path: Path = filestore.path_for(job.upload_name)
    try:
        summary = archive.import_archive(
            path,
            user=job.requested_by,
            progress=lambda done, total: _progress(job_pk, done, total),
        )
    except BaseException as error:
        logger.exception("archive import %s failed", job_pk)
        _fail(job_pk, error)
        if not isinstance(error, Exception):
            raise
        return "failed"
    finally:
        filestore.discard(path)
    _finish(job_pk, summary.as_json())
    return "done"


@task()
def rescan_application_task(application_pk: int) -> str:
    application = (
        Application.objects.select_related("edition", "team__enterprise")
        .filter(pk=application_pk, recommendation_number__isnull=False)
        .first()
    )
    if application is None:
        return "skipped"
    scan.rescan_application(application)
    return "done"
