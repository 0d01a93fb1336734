"""Jobs whose worker was killed (issue 16, item 8): the heartbeat keeps a running job fresh, the
worker's watchdog notices a silent one within a minute and queues it again (a resumable kind) or
expires it with a message shown in the reader's language; a run the job was taken from stops
without touching it; banzu's `db_worker` carries the watchdog."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command, get_commands
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import trans_real

from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.jobs import registry, services, worker
from banzu.jobs.enums import JobError, JobState
from banzu.jobs.files import store_chunks
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Scope
from tests.conftest import client_for
from tests.jobs.helpers import make_job

RESUMABLE = "tests.hb.resumable"
ONCE = "tests.hb.once"
STOPPED_ONCE = "tests.hb.stopped_once"
STOPPED_ONCE_RESUMABLE = "tests.hb.stopped_once_resumable"
TAKEN = "tests.hb.taken"
SLOW = "tests.hb.slow"


def _admin(user, job):
    return user.role == "admin"


def _attempt(job, progress):
    progress(1, 1)
    return {"attempt": job.attempts}


def _stopped_first_time(job, progress):
    progress(1, 2)
    if job.attempts == 1:
        raise SystemExit(1)  # the worker is stopped (SIGTERM twice) in the middle of the job
    progress(2, 2)
    return {"attempt": job.attempts}


def _taken(job, progress):
    progress(1, 3)
    # Meanwhile the watchdog, missing the heartbeat, queued the job again for another worker.
    Job.objects.filter(pk=job.pk).update(state=JobState.QUEUED)
    progress(2, 3)
    return {"finished": True}


def _waits_for_a_beat(job, progress):
    """Works for a while without reporting a step, as a long extraction does, and watches its
    row: only the heartbeat can move `updated_at` meanwhile."""
    started = Job.objects.get(pk=job.pk).updated_at
    deadline = time.monotonic() + 1.5
    beats = set()
    while time.monotonic() < deadline and len(beats) < 3:
        time.sleep(0.02)
        seen = Job.objects.get(pk=job.pk).updated_at
        if seen > started:
            beats.add(seen)
    return {"beats": len(beats)}


for kind in (
    JobKind(name=RESUMABLE, label="resumable", run=_attempt, can_see=_admin, resumable=True),
    JobKind(name=ONCE, label="once", run=_attempt, can_see=_admin),
    JobKind(name=STOPPED_ONCE, label="stopped", run=_stopped_first_time, can_see=_admin),
    JobKind(
        name=STOPPED_ONCE_RESUMABLE,
        label="stopped, resumable",
        run=_stopped_first_time,
        can_see=_admin,
        resumable=True,
        consumes_file=True,
    ),
    JobKind(name=TAKEN, label="taken", run=_taken, can_see=_admin),
    JobKind(name=SLOW, label="slow", run=_waits_for_a_beat, can_see=_admin),
):
    registry.register(kind)


def journal(job: Job) -> list[str]:
    entries = AuditEntry.objects.filter(target_type="jobs.job", target_id=job.pk).order_by("seq")
    return [entry.action for entry in entries]


def killed(kind: str, user, *, beat: dt.datetime, attempts: int = 1, scope_id: int = 1) -> Job:
    """A job left running by a worker that was killed: its last heartbeat at `beat`."""
    return make_job(
        kind,
        Scope("application", scope_id),
        user,
        state=JobState.RUNNING,
        attempts=attempts,
        started_at=beat,
        updated_at=beat,
    )


# --- Noticed within a minute -------------------------------------------------------------------


def test_the_limits_notice_a_killed_worker_within_a_minute():
    # A few beats may be late (a busy database) before a job counts as lost; the watchdog
    # looks often enough that the loss is seen within a minute (it was 15 minutes).
    assert services.RUNNING_LIMIT.total_seconds() >= services.HEARTBEAT_SECONDS * 4
    assert services.RUNNING_LIMIT.total_seconds() + services.SWEEP_SECONDS <= 60


@pytest.mark.django_db
def test_the_watchdog_expires_a_job_whose_heartbeat_stopped_within_a_minute(admin_user):
    last_beat = timezone.now()
    job = killed(ONCE, admin_user, beat=last_beat)

    early = worker.tick(now=last_beat + dt.timedelta(seconds=30))
    job.refresh_from_db()
    assert (early, job.state) == (services.Swept(0, 0), JobState.RUNNING)

    swept = worker.tick(now=last_beat + services.RUNNING_LIMIT + dt.timedelta(seconds=1))
    job.refresh_from_db()
    assert swept == services.Swept(expired=1, resumed=0)
    assert (job.state, job.error_code, job.error) == (
        JobState.EXPIRED,
        "worker_lost",
        "The job stopped without finishing (the worker was stopped).",
    )
    assert journal(job) == ["job.expire"]


@pytest.fixture
def zh_catalog(monkeypatch):
    """The Chinese words of the job messages, put in the zh-hans catalog for the test (the lead
    translates locale/ at the end; the test shows the message goes through the reader's
    catalog when the page renders, not text stored in one language)."""
    catalog = trans_real.translation("zh-hans")._catalog._catalogs[0]

    def add(msgid: str, msgstr: str) -> str:
        monkeypatch.setitem(catalog, msgid, msgstr)
        return msgstr

    return add


@pytest.mark.django_db
def test_the_lost_jobs_message_is_rendered_in_the_readers_language(admin_user, zh_catalog):
    job = killed(ONCE, admin_user, beat=timezone.now() - dt.timedelta(minutes=1))
    english = (
        "The worker stopped while the job was running (a restart or a crash). "
        "Please start it again."
    )
    chinese = zh_catalog(english, "后台处理程序在任务运行时停止了，请重新开始。")
    worker.tick()
    url = reverse("jobs:status", args=[job.pk])

    zh = client_for(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    en = client_for(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'<p class="errorlist nonfield">后台任务失败。 {chinese}</p>' in zh
    assert "The worker stopped" not in zh
    assert "stopped without finishing" not in zh
    assert f'<p class="errorlist nonfield">The job failed. {english}</p>' in en
    assert str(JobError.WORKER_LOST.label) == english


# --- Resumed ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_resumable_job_whose_worker_was_killed_is_queued_again_and_finishes(
    admin_user, django_capture_on_commit_callbacks
):
    job = killed(RESUMABLE, admin_user, beat=timezone.now() - dt.timedelta(minutes=1))

    with django_capture_on_commit_callbacks(execute=True):  # the queued task runs at once
        swept = worker.tick()

    job.refresh_from_db()
    assert swept == services.Swept(expired=0, resumed=1)
    assert (job.state, job.attempts, job.summary, job.error_code) == (
        JobState.DONE,
        2,
        {"attempt": 2},
        "",
    )
    assert journal(job) == ["job.resume", "job.start", "job.finish"]
    resume = AuditEntry.objects.get(target_id=job.pk, action="job.resume")
    assert resume.data == {
        "from": "running",
        "to": "queued",
        "reason": "",
        "by": "system",
        "kind": RESUMABLE,
        "attempts": 1,
    }


@pytest.mark.django_db
def test_a_resumable_job_that_keeps_killing_its_worker_is_given_up(admin_user, zh_catalog):
    job = killed(
        RESUMABLE,
        admin_user,
        beat=timezone.now() - dt.timedelta(minutes=1),
        attempts=services.MAX_ATTEMPTS,
    )

    swept = worker.tick()

    job.refresh_from_db()
    assert swept == services.Swept(expired=1, resumed=0)
    assert (job.state, job.error_code) == (JobState.EXPIRED, "worker_lost_again")


@pytest.mark.django_db
def test_a_worker_stopped_mid_job_fails_it_with_the_coded_message(
    admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.start(STOPPED_ONCE, Scope("application", 7), admin_user)

    with pytest.raises(SystemExit):
        services.run(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error_code, job.done, job.total) == (
        JobState.FAILED,
        "worker_lost",
        1,
        2,
    )
    assert journal(job) == ["job.queue", "job.start", "job.fail"]


@pytest.mark.django_db
def test_a_resumable_job_whose_worker_is_stopped_waits_again_with_its_file(
    admin_user, django_capture_on_commit_callbacks
):
    stored = store_chunks([b"the uploaded input"])
    with django_capture_on_commit_callbacks(execute=False):
        job = services.start(
            STOPPED_ONCE_RESUMABLE, Scope("application", 8), admin_user, file=stored
        )

    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=False) as queued:
        services.run(job.pk)

    job.refresh_from_db()
    assert (job.state, job.attempts, job.stored_name) == (JobState.QUEUED, 1, stored.stored_name)
    assert stored.path.read_bytes() == b"the uploaded input"
    assert len(queued) == 1  # its task, queued again

    assert services.run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.summary, job.stored_name) == (
        JobState.DONE,
        2,
        {"attempt": 2},
        "",
    )
    assert not stored.path.exists()  # consumed once the job is done
    assert journal(job) == ["job.queue", "job.start", "job.resume", "job.start", "job.finish"]


@pytest.mark.django_db
def test_a_run_the_job_was_taken_from_stops_without_touching_it(admin_user):
    job = make_job(TAKEN, Scope("application", 9), admin_user)

    assert services.run(job.pk) == "superseded"

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.summary, job.finished_at) == (
        JobState.QUEUED,
        1,
        3,
        {},
        None,
    )
    assert journal(job) == ["job.start"]


@pytest.mark.django_db
def test_a_stale_job_that_beats_again_before_the_watchdog_acts_is_left_alone(admin_user):
    job = killed(ONCE, admin_user, beat=timezone.now() - dt.timedelta(minutes=1))
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now())  # the beat came late

    assert (
        services._end(
            job,
            JobState.EXPIRED,
            error=services.STOPPED,
            stale_before=timezone.now() - services.RUNNING_LIMIT,
        )
        is None
    )

    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    refusal = AuditEntry.objects.get(target_id=job.pk, action="job.transition_refused")
    assert refusal.data == {"from": "running", "to": "expired", "code": "alive"}


# --- The heartbeat and the worker ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_moves_a_running_job_that_reports_no_step(admin_user, monkeypatch):
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0.05)
    job = make_job(SLOW, Scope("application", 10), admin_user)

    assert services.run(job.pk) == "done"

    job.refresh_from_db()
    assert (job.state, job.done, job.summary) == (JobState.DONE, 0, {"beats": 3})
    assert job.updated_at == job.finished_at  # no beat after the end


@pytest.mark.django_db(transaction=True)
def test_without_a_heartbeat_the_same_job_is_never_moved(admin_user, monkeypatch):
    monkeypatch.setattr(services, "HEARTBEAT_SECONDS", 0)
    job = make_job(SLOW, Scope("application", 11), admin_user)

    assert services.run(job.pk) == "done"

    job.refresh_from_db()
    assert job.summary == {"beats": 0}


def test_db_worker_is_banzus_with_the_watchdog():
    assert get_commands()["db_worker"] == "banzu.jobs"


@pytest.mark.django_db(transaction=True)
def test_db_worker_notices_a_killed_workers_job_as_it_starts(admin_user, settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    lost = killed(ONCE, admin_user, beat=timezone.now() - dt.timedelta(minutes=1))
    resumed = killed(RESUMABLE, admin_user, beat=timezone.now() - dt.timedelta(minutes=1))

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    lost.refresh_from_db()
    resumed.refresh_from_db()
    assert (lost.state, lost.error_code) == (JobState.EXPIRED, "worker_lost")
    # Queued again by the watchdog, then run by the same worker's loop.
    assert (resumed.state, resumed.attempts, resumed.summary) == (
        JobState.DONE,
        2,
        {"attempt": 2},
    )
    # The daily housekeeping was due (it never ran): started and run too.
    assert list(Job.objects.filter(kind="jobs.clean_temp").values_list("state", "summary")) == [
        (JobState.DONE, {"removed": 0, "bytes": 0})
    ]
    assert filestore.root() == tmp_path / "files"
