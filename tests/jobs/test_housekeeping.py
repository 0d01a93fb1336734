"""The worker's daily housekeeping: the watchdog starts the removal of temporary files a day old
once a day (the last job's row is the schedule's memory), and the job keeps fresh files."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest
from django.utils import timezone

from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.jobs import schedule, worker
from banzu.jobs.enums import JobState
from banzu.jobs.housekeeping import CLEAN_TEMP
from banzu.jobs.models import Job

pytestmark = pytest.mark.django_db


def old(path: Path) -> Path:
    path.write_bytes(b"y" * 300)
    then = time.time() - 25 * 3600
    os.utime(path, (then, then))
    return path


def test_the_watchdog_runs_the_temporary_file_removal_once_a_day(
    settings, django_capture_on_commit_callbacks
):
    uploads = Path(settings.FILE_UPLOAD_TEMP_DIR)
    stale_part = old(filestore.temp_dir() / "abandoned.part")
    stale_upload = old(uploads / "tmpq1w2e3.upload.pptx")
    fresh_part = filestore.temp_dir() / "writing.part"
    fresh_part.write_bytes(b"z")

    with django_capture_on_commit_callbacks(execute=True):
        worker.tick()
    with django_capture_on_commit_callbacks(execute=True):
        worker.tick(now=timezone.now() + dt.timedelta(hours=23))

    job = Job.objects.get(kind=CLEAN_TEMP)
    assert (job.state, job.summary, job.scope_key, job.created_by) == (
        JobState.DONE,
        {"removed": 2, "bytes": 600},
        "system:0",
        None,
    )
    assert (stale_part.exists(), stale_upload.exists(), fresh_part.exists()) == (
        False,
        False,
        True,
    )
    queued = AuditEntry.objects.get(action="job.queue", target_id=job.pk)
    assert (queued.actor_id, queued.data) == (
        None,
        {"kind": CLEAN_TEMP, "scope": "system:0", "by": "system", "every_hours": 24.0},
    )

    with django_capture_on_commit_callbacks(execute=True):
        started = schedule.start_due(now=timezone.now() + dt.timedelta(hours=25))

    assert [(later.kind, later.state) for later in started] == [(CLEAN_TEMP, JobState.QUEUED)]
    assert Job.objects.filter(kind=CLEAN_TEMP).count() == 2


def test_the_daily_job_is_declared_for_the_worker():
    declared = {item.kind: item.interval for item in schedule.periodic()}
    assert declared[CLEAN_TEMP] == dt.timedelta(days=1)
