"""The one job lifecycle: start a job, run it in the worker, expire the ones whose worker stopped.

The request only creates the row and queues `banzu.jobs.tasks.run_job` after the commit. The
worker moves the job queued → running, calls its kind's function with a progress callback (plain
UPDATEs outside any transaction, so the status poll sees each step at once), and ends it done or
failed; every state change goes through the workflow engine and is journalled. Stale jobs are
expired by the worker when it starts a job, by `manage.py expire_jobs`, and by a new start of the
same kind and scope (a POST) — never by a page that only shows a status.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from banzu.audit.services import record
from banzu.core import filestore
from banzu.core.access import Person
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.jobs import registry
from banzu.jobs.enums import ACTIVE_STATES, Actor, JobState
from banzu.jobs.files import StoredFile
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Outcome, Scope
from banzu.jobs.workflow import JOB

logger = logging.getLogger(__name__)

# A running job moves its `updated_at` at every step; one still for this long lost its worker.
RUNNING_LIMIT = dt.timedelta(minutes=15)
# A queued job waits for the worker, maybe behind a long scan: only a much longer wait means its
# task was lost (the database queue keeps tasks across worker restarts).
QUEUED_LIMIT = dt.timedelta(hours=6)
ERROR_LIMIT = 1000
STOPPED = "The job stopped without finishing (the worker was stopped)."


def start(
    kind: str,
    scope: Scope,
    by: Person | None,
    *,
    ip: str | None = None,
    file: StoredFile | None = None,
    data: Mapping[str, Any] | None = None,
) -> Job:
    """Create the job and queue it after the commit; for an exclusive kind, return the job
    already queued or running for this scope instead (a second click starts nothing). A given
    `file` belongs to the new job; if none is created, it is deleted."""
    spec = registry.get(kind)
    created = False
    try:
        with transaction.atomic():
            if spec.exclusive:
                expire_stale(kind=kind, scope_key=scope.key)
                running = _active(kind, scope)
                if running is not None:
                    return running
            job = Job(
                kind=kind,
                scope_type=scope.type,
                scope_id=scope.id,
                edition_pk=scope.edition_pk,
                scope_key=scope.key,
                exclusive=spec.exclusive,
                created_by_id=by.pk if by is not None else None,
            )
            if file is not None:
                job.stored_name, job.size, job.sha256 = file.stored_name, file.size, file.sha256
                job.original_name = file.original_name
            job.full_clean(validate_constraints=False)
            try:
                with transaction.atomic():
                    job.save()
            except IntegrityError:  # another request created it between our read and write
                running = _active(kind, scope)
                if running is None:
                    raise
                return running
            created = True
            record(
                action=spec.start_action,
                actor=by,
                target=job,
                data={"kind": kind, "scope": scope.key, "by": Actor.USER, **(data or {})},
                ip=ip,
            )
            transaction.on_commit(lambda: _enqueue(job.pk))
    finally:
        if not created and file is not None:
            filestore.discard(file.path)
    return job


def _active(kind: str, scope: Scope) -> Job | None:
    return Job.objects.filter(kind=kind, scope_key=scope.key, state__in=ACTIVE_STATES).first()


def _enqueue(job_pk: int) -> None:
    from banzu.jobs.tasks import run_job

    try:
        run_job.enqueue(job_pk)
    except Exception as error:  # a broken queue must not break the request that committed
        logger.exception("could not queue job %s", job_pk)
        job = Job.objects.filter(pk=job_pk, state=JobState.QUEUED).first()
        if job is not None:
            _end(job, JobState.FAILED, error=_message(error, None))


# --- The worker -----------------------------------------------------------------------------


def run(job_pk: int) -> str:
    """Run one job in the worker; returns what became of it."""
    job = Job.objects.filter(pk=job_pk).first()
    if job is None or job.state != JobState.QUEUED:  # taken by another worker, or expired
        return "skipped"
    try:
        job = _move(job, JobState.RUNNING)
    except ServiceError:
        return "skipped"
    expire_stale(exclude_pk=job.pk)
    spec: JobKind | None = None
    try:
        spec = registry.get(job.kind)
        outcome = _as_outcome(spec.run(job, Reporter(job.pk)))
    except BaseException as error:  # also a worker stopped mid-job: the job is marked failed
        logger.exception("job %s (%s) failed", job_pk, job.kind)
        _end(job, JobState.FAILED, error=_message(error, spec))
        if spec is not None and spec.consumes_file:
            _drop_file(job)
        if not isinstance(error, Exception):
            raise
        return "failed"
    if spec.consumes_file:
        _drop_file(job)
    fields: dict[str, Any] = {"summary": outcome.summary}
    if outcome.file is not None:
        fields.update(
            stored_name=outcome.file.stored_name,
            size=outcome.file.size,
            sha256=outcome.file.sha256,
            original_name=outcome.file.original_name,
        )
    try:
        job = _move(job, JobState.DONE, ends=True, **fields)
    except BaseException as error:
        # The row could not take the file (the job was expired meanwhile, or the save failed):
        # drop it, so no file is left without a row.
        if outcome.file is not None:
            filestore.discard(outcome.file.path)
        if isinstance(error, ServiceError):  # expired meanwhile; the refusal is journalled
            return "expired"
        raise
    if spec.keep_latest_file_only:
        _prune_older_files(job)
    return "done"


class Reporter:
    """The progress callback a kind's function receives: done of total steps, and optionally a
    summary so far (a phase, an estimate) the status partial shows."""

    def __init__(self, job_pk: int) -> None:
        self.job_pk = job_pk

    def __call__(self, done: int, total: int, summary: dict[str, Any] | None = None) -> None:
        fields: dict[str, Any] = {"done": done, "total": total, "updated_at": timezone.now()}
        if summary is not None:
            fields["summary"] = summary
        Job.objects.filter(pk=self.job_pk, state=JobState.RUNNING).update(**fields)


def _as_outcome(result: Outcome | dict[str, Any] | None) -> Outcome:
    if isinstance(result, Outcome):
        return result
    return Outcome(summary=dict(result or {}))


def _message(error: BaseException, spec: JobKind | None) -> str:
    # An error the user can fix gets its plain reason; anything else its type too. The cause
    # (which may name a server path) is shown only to whom the kind lets read it; it is logged.
    if spec is not None and isinstance(error, spec.plain_errors):
        message = str(error)
    else:
        message = f"{type(error).__name__}: {error}"
    return message[:ERROR_LIMIT]


def _move(job: Job, target: JobState, *, ends: bool = False, **fields: Any) -> Job:
    """The one way a job's state changes: the workflow engine, acting as the system. Every move
    sets `updated_at`; the start sets `started_at`, an end `finished_at`, all to the same time."""

    def update(locked: Job, move: Move) -> None:
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.updated_at = move.now
        if target == JobState.RUNNING:
            locked.started_at = move.now
        if ends:
            locked.finished_at = move.now

    return apply(
        JOB,
        job,
        target=target,
        actor=None,
        actors=lambda _locked: (Actor.SYSTEM,),
        update=update,
        data={"by": Actor.SYSTEM, "kind": job.kind},
    )


def _end(job: Job, target: JobState, *, error: str) -> Job | None:
    """Fail or expire a job; None if it had already moved on (the refusal is journalled)."""
    try:
        return _move(job, target, ends=True, error=error)
    except ServiceError:
        logger.warning("job %s could not go to %s: it had moved on", job.pk, target)
        return None


def _drop_file(job: Job) -> None:
    """The row lets go of its file before the file goes, so no row points at a missing file."""
    if job.stored_name:
        Job.objects.filter(pk=job.pk).update(stored_name="")
        filestore.discard(filestore.path_for(job.stored_name))
        job.stored_name = ""


def _prune_older_files(job: Job) -> None:
    """Drop the files of earlier jobs of the same kind and scope: the newest one is what counts."""
    older = Job.objects.filter(kind=job.kind, scope_key=job.scope_key, pk__lt=job.pk).exclude(
        stored_name=""
    )
    for earlier in older.only("pk", "stored_name"):
        _drop_file(earlier)


def expire_stale(
    *,
    now: dt.datetime | None = None,
    kind: str | None = None,
    scope_key: str | None = None,
    exclude_pk: int | None = None,
) -> int:
    """Mark expired the jobs whose worker stopped (see RUNNING_LIMIT, QUEUED_LIMIT), so their
    pages stop waiting and a new job of their kind and scope can start. Returns how many."""
    now = now or timezone.now()
    stale = Job.objects.filter(
        Q(state=JobState.RUNNING, updated_at__lt=now - RUNNING_LIMIT)
        | Q(state=JobState.QUEUED, updated_at__lt=now - QUEUED_LIMIT)
    )
    if kind is not None:
        stale = stale.filter(kind=kind)
    if scope_key is not None:
        stale = stale.filter(scope_key=scope_key)
    if exclude_pk is not None:
        stale = stale.exclude(pk=exclude_pk)
    count = 0
    for job in stale.order_by("pk"):
        if _end(job, JobState.EXPIRED, error=STOPPED) is None:
            continue
        count += 1
        spec = registry.find(job.kind)
        if spec is not None and spec.consumes_file:
            _drop_file(job)
    return count
