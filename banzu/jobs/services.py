"""The one job lifecycle: start a job, run it in the worker, notice the ones whose worker stopped.

The request only creates the row and queues `banzu.jobs.tasks.run_job` after the commit. The
worker moves the job queued → running, calls its kind's function with a progress callback (plain
UPDATEs outside any transaction, so the status poll sees each step at once), and ends it done or
failed; every state change goes through the workflow engine and is journalled.

While the function runs, a heartbeat thread moves the job's `updated_at` every HEARTBEAT_SECONDS,
so a job whose worker was killed is still for RUNNING_LIMIT at most. Such a job is queued again if
its kind is resumable (up to MAX_ATTEMPTS runs), else expired with a JobError code the pages show
in the reader's language. Stale jobs are noticed by the worker's watchdog every SWEEP_SECONDS
(banzu.jobs.worker), when the worker starts a job, by `manage.py expire_jobs`, and by a new start
of the same kind and scope (a POST) — never by a page that only shows a status.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Mapping
from typing import Any, NamedTuple

from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from banzu.audit.services import record
from banzu.core import filestore
from banzu.core.access import Person
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, TransitionRefused, apply
from banzu.jobs import registry
from banzu.jobs.enums import ACTIVE_STATES, Actor, JobError, JobState
from banzu.jobs.files import StoredFile
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Outcome, Scope
from banzu.jobs.workflow import JOB

logger = logging.getLogger(__name__)

# A running job's heartbeat moves its `updated_at` this often (and every step moves it too)...
HEARTBEAT_SECONDS = 10.0
# ...so one still for this long lost its worker (a few beats, however slow the database is: a
# busy SQLite makes a beat wait up to its 20 s timeout). The watchdog looks every SWEEP_SECONDS,
# so a killed worker's job is noticed within a minute.
RUNNING_LIMIT = dt.timedelta(seconds=45)
SWEEP_SECONDS = 15.0
# A resumable job is run at most this many times; a job that kills its worker every time (say it
# runs out of memory) is then given up.
MAX_ATTEMPTS = 3
# A queued job waits for the worker, maybe behind a long scan: only a much longer wait means its
# task was lost (the database queue keeps tasks across worker restarts).
QUEUED_LIMIT = dt.timedelta(hours=6)
ERROR_LIMIT = 1000
# The technical cause kept in `error` (the pages show the JobError code's message instead).
STOPPED = "The job stopped without finishing (the worker was stopped)."


class JobSuperseded(Exception):
    """The job is no longer this run's: it was expired or queued again while the run went on (its
    heartbeat could not be written), so the run stops without touching it."""


class Swept(NamedTuple):
    expired: int
    resumed: int


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
                data={
                    "kind": kind,
                    "scope": scope.key,
                    "by": Actor.USER if by is not None else Actor.SYSTEM,
                    **(data or {}),
                },
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
            _end(job, JobState.FAILED, error=_message(error, None), code=JobError.NOT_QUEUED)


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
    attempt = job.attempts
    input_name = job.stored_name
    expire_stale(exclude_pk=job.pk)
    spec: JobKind | None = None
    heartbeat = Heartbeat(job.pk, attempt)
    try:
        spec = registry.get(job.kind)
        heartbeat.begin()
        outcome = _as_outcome(spec.run(job, Reporter(job.pk, attempt)))
    except JobSuperseded:
        logger.warning("job %s (%s) was taken from this run; it stops", job_pk, job.kind)
        return "superseded"
    except BaseException as error:  # also a worker stopped mid-job (SIGTERM twice, Ctrl-C)
        if isinstance(error, Exception):
            logger.exception("job %s (%s) failed", job_pk, job.kind)
            ended = _end(job, JobState.FAILED, error=_message(error, spec), attempt=attempt)
        elif spec is not None and spec.resumable and attempt < MAX_ATTEMPTS:
            ended = None
            _resume(job, attempt=attempt)
        else:
            ended = _end(
                job, JobState.FAILED, error=STOPPED, code=JobError.WORKER_LOST, attempt=attempt
            )
        if ended is not None and spec is not None and spec.consumes_file:
            _drop_file(ended)
        if not isinstance(error, Exception):
            raise
        return "failed"
    finally:
        heartbeat.end()
    fields: dict[str, Any] = {"summary": outcome.summary}
    if outcome.file is not None:
        fields.update(
            stored_name=outcome.file.stored_name,
            size=outcome.file.size,
            sha256=outcome.file.sha256,
            original_name=outcome.file.original_name,
        )
    try:
        job = _move(job, JobState.DONE, ends=True, attempt=attempt, **fields)
    except BaseException as error:
        # The row could not take the file (the job was expired meanwhile, or the save failed):
        # drop it, so no file is left without a row.
        if outcome.file is not None:
            filestore.discard(outcome.file.path)
        if isinstance(error, ServiceError):  # expired meanwhile; the refusal is journalled
            return "expired"
        raise
    if spec.consumes_file and input_name:
        # The input goes once the job is done (not before: a run taken from this one needs it).
        if job.stored_name == input_name:
            _drop_file(job)
        else:
            filestore.discard(filestore.path_for(input_name))
    if spec.keep_latest_file_only:
        _prune_older_files(job)
    return "done"


class Heartbeat:
    """A thread that moves the running job's `updated_at` every HEARTBEAT_SECONDS while the
    kind's function works (however long one of its steps takes), so a job that stops beating has
    lost its worker. Not started inside a transaction (tests run jobs inside theirs): another
    connection could neither see nor wait for the job's row."""

    def __init__(self, job_pk: int, attempt: int) -> None:
        self.job_pk, self.attempt = job_pk, attempt
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def begin(self) -> None:
        if HEARTBEAT_SECONDS <= 0 or connection.in_atomic_block:
            return
        self._thread = threading.Thread(
            target=self._beat, args=(HEARTBEAT_SECONDS,), name=f"job-{self.job_pk}", daemon=True
        )
        self._thread.start()

    def end(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            # A beat waiting for a busy database is harmless once the job has moved on (it only
            # touches a running job of this attempt): do not wait for it.
            self._thread.join(timeout=1)

    def _beat(self, every: float) -> None:
        try:
            while not self._stopping.wait(every):
                try:
                    Job.objects.filter(
                        pk=self.job_pk, state=JobState.RUNNING, attempts=self.attempt
                    ).update(updated_at=timezone.now())
                except DatabaseError:
                    logger.warning("job %s: the heartbeat was not written", self.job_pk)
        finally:
            connections.close_all()  # this thread's connections only


class Reporter:
    """The progress callback a kind's function receives: done of total steps, and optionally a
    summary so far (a phase, an estimate) the status partial shows."""

    def __init__(self, job_pk: int, attempt: int | None = None) -> None:
        self.job_pk = job_pk
        self.attempt = attempt

    def __call__(self, done: int, total: int, summary: dict[str, Any] | None = None) -> None:
        fields: dict[str, Any] = {"done": done, "total": total, "updated_at": timezone.now()}
        if summary is not None:
            fields["summary"] = summary
        mine = Job.objects.filter(pk=self.job_pk, state=JobState.RUNNING)
        if self.attempt is not None:
            mine = mine.filter(attempts=self.attempt)
        if not mine.update(**fields):
            raise JobSuperseded(self.job_pk)


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


def _move(
    job: Job,
    target: JobState,
    *,
    ends: bool = False,
    attempt: int | None = None,
    stale_before: dt.datetime | None = None,
    **fields: Any,
) -> Job:
    """The one way a job's state changes: the workflow engine, acting as the system. Every move
    sets `updated_at`; the start sets `started_at` and counts the attempt, an end `finished_at`,
    all to the same time. A run's own moves name its `attempt`, refused if the job was taken from
    it; the watchdog's name `stale_before`, refused if the job beat again meanwhile."""

    def guard(locked: Job, _target: str) -> None:
        if attempt is not None and locked.attempts != attempt:
            raise TransitionRefused("The job was taken from this run.", code="superseded")
        if stale_before is not None and locked.updated_at >= stale_before:
            raise TransitionRefused("The job is alive.", code="alive")

    def update(locked: Job, move: Move) -> None:
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.updated_at = move.now
        if target == JobState.RUNNING:
            locked.started_at = move.now
            locked.attempts += 1
        if ends:
            locked.finished_at = move.now

    data: dict[str, Any] = {"by": Actor.SYSTEM, "kind": job.kind}
    if target == JobState.QUEUED:
        data["attempts"] = job.attempts
    return apply(
        JOB,
        job,
        target=target,
        actor=None,
        actors=lambda _locked: (Actor.SYSTEM,),
        update=update,
        guard=guard,
        data=data,
    )


def _end(
    job: Job,
    target: JobState,
    *,
    error: str,
    code: str = "",
    attempt: int | None = None,
    stale_before: dt.datetime | None = None,
) -> Job | None:
    """Fail or expire a job; None if it had already moved on (the refusal is journalled)."""
    try:
        return _move(
            job,
            target,
            ends=True,
            attempt=attempt,
            stale_before=stale_before,
            error=error,
            error_code=code,
        )
    except ServiceError:
        logger.warning("job %s could not go to %s: it had moved on", job.pk, target)
        return None


def _resume(
    job: Job, *, attempt: int | None = None, stale_before: dt.datetime | None = None
) -> Job | None:
    """Queue a resumable job whose worker stopped again, and its task after the commit."""
    try:
        job = _move(job, JobState.QUEUED, attempt=attempt, stale_before=stale_before)
    except ServiceError:
        logger.warning("job %s could not be queued again: it had moved on", job.pk)
        return None
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


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
) -> Swept:
    """Deal with the jobs whose worker stopped (see RUNNING_LIMIT, QUEUED_LIMIT), so their pages
    stop waiting and a new job of their kind and scope can start: a running job of a resumable
    kind is queued again (MAX_ATTEMPTS runs at most); any other is expired with its JobError."""
    now = now or timezone.now()
    running_before, queued_before = now - RUNNING_LIMIT, now - QUEUED_LIMIT
    stale = Job.objects.filter(
        Q(state=JobState.RUNNING, updated_at__lt=running_before)
        | Q(state=JobState.QUEUED, updated_at__lt=queued_before)
    )
    if kind is not None:
        stale = stale.filter(kind=kind)
    if scope_key is not None:
        stale = stale.filter(scope_key=scope_key)
    if exclude_pk is not None:
        stale = stale.exclude(pk=exclude_pk)
    expired = resumed = 0
    for job in stale.order_by("pk"):
        spec = registry.find(job.kind)
        resumable = spec is not None and spec.resumable
        if job.state == JobState.QUEUED:
            before, code = queued_before, JobError.NOT_STARTED
        else:
            before = running_before
            if resumable and job.attempts < MAX_ATTEMPTS:
                if _resume(job, stale_before=before) is not None:
                    resumed += 1
                continue
            code = JobError.WORKER_LOST_AGAIN if resumable else JobError.WORKER_LOST
        ended = _end(job, JobState.EXPIRED, error=STOPPED, code=code, stale_before=before)
        if ended is None:
            continue
        expired += 1
        if spec is not None and spec.consumes_file:
            _drop_file(ended)
    return Swept(expired, resumed)
