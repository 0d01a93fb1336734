"""Temporary files a stopped server or worker leaves behind, found and removed once a day old.

Two places hold them: the file store's own `tmp` folder (`.part` files being written, and the
links the archive import reads through), where every file is temporary; and Django's folder for
uploads in progress (settings.FILE_UPLOAD_TEMP_DIR), where only Django's `tmp*.upload*` files
are touched, in case the setting points at a shared folder. Nothing writes a file for a day, so
one older than that was left by a process that was killed. `manage.py check_files` reports them
and removes them with `--clean`; the worker does it daily (the job kind CLEAN_TEMP).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banzu.core import filestore
from banzu.core.access import Someone, is_admin
from banzu.jobs import registry, schedule
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Progress

MAX_AGE = dt.timedelta(days=1)
CLEAN_TEMP = "jobs.clean_temp"


@dataclass(frozen=True)
class Leftover:
    path: Path
    size: int
    modified: dt.datetime
    where: str  # "store" or "uploads"

    def older_than(self, age: dt.timedelta, now: dt.datetime) -> bool:
        return self.modified < now - age


def upload_temp_dir() -> Path | None:
    folder = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    return Path(folder) if folder else None


def temp_files() -> list[Leftover]:
    """Every temporary file in the two folders, old or new."""
    found = list(_files(filestore.root() / "tmp", "store", lambda _name: True))
    uploads = upload_temp_dir()
    if uploads is not None:
        found += _files(uploads, "uploads", _is_django_upload)
    return sorted(found, key=lambda leftover: str(leftover.path))


def _is_django_upload(name: str) -> bool:
    # django.core.files.uploadedfile.TemporaryUploadedFile: NamedTemporaryFile(suffix=".upload…")
    return name.startswith("tmp") and ".upload" in name


def _files(folder: Path, where: str, wanted: Callable[[str], bool]) -> Iterator[Leftover]:
    if not folder.is_dir():
        return
    with os.scandir(folder) as entries:
        for entry in entries:
            if not entry.is_file(follow_symlinks=False) or not wanted(entry.name):
                continue
            with contextlib.suppress(FileNotFoundError):  # finished while we looked
                info = entry.stat(follow_symlinks=False)
                modified = dt.datetime.fromtimestamp(info.st_mtime, tz=dt.UTC)
                yield Leftover(Path(entry.path), info.st_size, modified, where)


def remove_old(
    leftovers: list[Leftover], *, age: dt.timedelta = MAX_AGE, now: dt.datetime | None = None
) -> list[Leftover]:
    """Delete the files older than `age`; returns those deleted."""
    now = now or timezone.now()
    removed = []
    for leftover in leftovers:
        if leftover.older_than(age, now):
            filestore.discard(leftover.path)
            removed.append(leftover)
    return removed


def _clean(job: Job, progress: Progress) -> dict[str, Any]:
    removed = remove_old(temp_files())
    progress(1, 1)
    return {"removed": len(removed), "bytes": sum(leftover.size for leftover in removed)}


def _admin(user: Someone, job: Job) -> bool:
    return is_admin(user)


registry.register(
    JobKind(
        name=CLEAN_TEMP,
        label=_("Removal of old temporary files"),
        run=_clean,
        can_see=_admin,
        resumable=True,
    )
)
schedule.every(CLEAN_TEMP, dt.timedelta(days=1))
