"""An archive import stopped half-way and imported again ends with exactly the ZIP's rows (issue
16, item 8: a retry after a killed worker made 155 rows of a 150-row ZIP): each row's file and
row are stored together, a row already imported is skipped, and a killed worker's job is noticed
and expired so the admin can start it again."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from docx import Document as WordDocument

from banzu.core import filestore
from banzu.jobs import services as job_services
from banzu.jobs import worker
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening import archive
from banzu.screening.jobs import ARCHIVE_IMPORT, start_import
from banzu.screening.models import ArchiveDocument
from tests.screening.test_archive import csv_index, make_zip
from tests.screening.test_scan import chinese_text, docx_bytes

ROOT = Path(__file__).resolve().parents[2]


def archive_zip(
    tmp_path: Path, count: int, *, saved_again: bool = False, name: str = "archive.zip"
) -> tuple[Path, list[str]]:
    """A ZIP of `count` distinct Word files with its index; returns it and the files' SHA-256.
    `saved_again`: the same documents saved once more, as a second export makes them (the same
    text, other bytes)."""
    files = {}
    for n in range(count):
        content = docx_bytes(tmp_path, chinese_text(700 + n, 400))
        files[f"docs/{n:03}.docx"] = resave(content) if saved_again else content
    rows = [
        ["2024", f"第{n}建设有限公司", f"{n}号班组", f"经验{n}", f"docs/{n:03}.docx"]
        for n in range(count)
    ]
    path = tmp_path / name
    path.write_bytes(make_zip({"index.csv": csv_index(rows), **files}))
    return path, sorted(hashlib.sha256(content).hexdigest() for content in files.values())


def resave(content: bytes) -> bytes:
    document = WordDocument(io.BytesIO(content))
    document.core_properties.revision = document.core_properties.revision + 1
    out = io.BytesIO()
    document.save(out)
    assert out.getvalue() != content
    return out.getvalue()


class Stopped(BaseException):
    """The worker going away in the middle of the import (as SystemExit does)."""


def stop_after(rows: int):
    def progress(done: int, total: int) -> None:
        if done == rows:
            raise Stopped

    return progress


@pytest.mark.django_db
def test_an_import_stopped_half_way_and_imported_again_has_exactly_the_zips_rows(
    admin_user, tmp_path
):
    path, hashes = archive_zip(tmp_path, 6)

    with pytest.raises(Stopped):
        archive.import_archive(path, user=admin_user, progress=stop_after(3))
    assert ArchiveDocument.objects.count() == 3

    summary = archive.import_archive(path, user=admin_user, progress=lambda done, total: None)

    assert (summary.rows, summary.imported, summary.errors) == (6, 3, [])
    assert summary.skipped == [
        {"row": row, "code": "imported_before", "params": {}} for row in (2, 3, 4)
    ]
    assert sorted(ArchiveDocument.objects.values_list("sha256", flat=True)) == hashes
    assert sorted(filestore.stored_files()) == sorted(
        ArchiveDocument.objects.values_list("stored_name", flat=True)
    )
    assert list(filestore.temp_dir().iterdir()) == []


@pytest.mark.django_db
def test_an_import_stopped_half_way_and_exported_again_adds_only_the_missing_rows(
    admin_user, tmp_path
):
    first, _ = archive_zip(tmp_path, 6)
    second, hashes = archive_zip(tmp_path, 6, saved_again=True, name="again.zip")
    with pytest.raises(Stopped):
        archive.import_archive(first, user=admin_user, progress=stop_after(3))

    summary = archive.import_archive(second, user=admin_user, progress=lambda done, total: None)

    assert (summary.imported, len(summary.skipped), summary.errors) == (3, 3, [])
    assert ArchiveDocument.objects.count() == 6
    assert sorted(ArchiveDocument.objects.values_list("enterprise_name", flat=True)) == sorted(
        f"第{n}建设有限公司" for n in range(6)
    )
    # The three rows stopped before came from the second export.
    assert len(set(hashes) & set(ArchiveDocument.objects.values_list("sha256", flat=True))) == 3


@pytest.mark.django_db
def test_a_second_row_for_the_same_file_is_refused_and_its_file_not_kept(admin_user, tmp_path):
    """Two imports of one ZIP at once: both see the file missing; the second to commit is
    refused by the unique SHA-256 and leaves no file behind."""
    content = b"%PDF-1.4 the same experience"
    digest = hashlib.sha256(content).hexdigest()
    first = filestore.commit_temp(filestore.write_temp([content]))
    ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="甲公司",
        original_name="a.pdf",
        stored_name=first,
        size=len(content),
        sha256=digest,
        imported_by=admin_user,
    )
    late = ArchiveDocument(
        year=2024,
        enterprise_name="甲公司",
        original_name="a.pdf",
        size=len(content),
        sha256=digest,
        imported_by=admin_user,
    )
    temp = filestore.write_temp([content])

    with pytest.raises(archive._Duplicate):
        archive._store(late, temp)

    assert ArchiveDocument.objects.count() == 1
    assert list(filestore.stored_files()) == [first]


# --- A worker killed for real ------------------------------------------------------------------


def _worker_env(tmp_path: Path) -> dict[str, str]:
    """The test's database and file store, for a worker in a process of its own."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "LANG": "C.UTF-8",
        "SECRET_KEY": settings.SECRET_KEY,
        "BANZU_VAR_DIR": str(tmp_path / "var"),
        "BANZU_FILES_DIR": str(settings.PRIVATE_FILES_ROOT),
        "BANZU_UPLOAD_TEMP_DIR": str(tmp_path / "uploads"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    if getattr(settings, "AUDIT_KEY", ""):
        env["BANZU_AUDIT_KEY"] = settings.AUDIT_KEY
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(params["NAME"])
    else:
        password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
        env["DATABASE_URL"] = (
            f"postgres://{params['USER']}{password}@{params['HOST']}:"
            f"{params['PORT'] or 5432}/{params['NAME']}"
        )
    return env


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_import_is_noticed_and_resumed_to_exactly_the_zips_rows(
    admin_user, open_edition, settings, tmp_path
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.PRIVATE_FILES_ROOT = tmp_path / "files"
    count = 24
    path, hashes = archive_zip(tmp_path, count)
    job = start_import(edition=open_edition, user=admin_user, chunks=[path.read_bytes()])

    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=_worker_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while ArchiveDocument.objects.count() < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the worker and its parse children, at once
        process.wait()
    imported_before = ArchiveDocument.objects.count()
    job.refresh_from_db()
    assert 4 <= imported_before < count
    assert (job.state, job.attempts) == (JobState.RUNNING, 1)

    # The next worker pass, when the last heartbeat is RUNNING_LIMIT old: the import is
    # resumable, so it is queued again with its ZIP, and its next run completes it exactly.
    worker.tick(now=job.updated_at + job_services.RUNNING_LIMIT + dt.timedelta(seconds=1))
    job.refresh_from_db()
    assert (job.state, job.error_code) == (JobState.QUEUED, "")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    assert job_services.run(job.pk) == "done"
    job.refresh_from_db()
    assert (job.summary["rows"], job.summary["imported"], job.summary["errors"]) == (
        count,
        count - imported_before,
        [],
    )
    assert len(job.summary["skipped"]) == imported_before
    assert ArchiveDocument.objects.count() == count

    # The admin, not trusting it, uploads the ZIP again: every row is already there.
    again = start_import(edition=open_edition, user=admin_user, chunks=[path.read_bytes()])
    assert job_services.run(again.pk) == "done"
    again.refresh_from_db()
    assert (again.summary["imported"], len(again.summary["skipped"])) == (0, count)
    assert sorted(ArchiveDocument.objects.values_list("sha256", flat=True)) == hashes
    assert Job.objects.filter(kind=ARCHIVE_IMPORT).count() == 2
    # A kill between a file's move and its row's commit may leave that one file without a row
    # (check_files reports it); nothing else is left in the store.
    stored = set(ArchiveDocument.objects.values_list("stored_name", flat=True))
    assert stored <= set(filestore.stored_files())
    assert len(set(filestore.stored_files()) - stored) <= 1
