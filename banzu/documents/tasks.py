"""Building the submission package in the background, and the one service that starts a build.

The request only creates the `PackageBuild` row and queues `build_package` after the commit; the
worker writes the ZIP to a temporary file, fsyncs it and renames it into the private store, so a
half-written ZIP is never served. A failure leaves no file and marks the build failed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import uuid
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from banzu.accounts.models import Recommender
from banzu.audit.services import record
from banzu.core import filestore
from banzu.documents.models import ACTIVE_STATES, PackageBuild, PackageState
from banzu.documents.package import write_package
from banzu.editions.models import Edition

logger = logging.getLogger(__name__)

# A queued or running build older than this is taken for dead (a worker that was killed), so a
# new request starts afresh instead of waiting on it for ever.
STALE_AFTER = dt.timedelta(minutes=15)
ERROR_LIMIT = 1000


def latest_build(recommender: Recommender, edition: Edition) -> PackageBuild | None:
    return (
        PackageBuild.objects.filter(recommender=recommender, edition=edition)
        .select_related("recommender", "edition")
        .first()
    )


def expire_stale(recommender: Recommender, edition: Edition) -> int:
    """A build that has not moved for STALE_AFTER (its worker was stopped) is marked failed,
    so the page stops waiting and a new build can start."""
    return PackageBuild.objects.filter(
        recommender=recommender,
        edition=edition,
        state__in=ACTIVE_STATES,
        updated_at__lt=timezone.now() - STALE_AFTER,
    ).update(
        state=PackageState.FAILED,
        error="The build stopped without finishing (the worker was stopped).",
        finished_at=timezone.now(),
    )


def start_build(
    *, recommender: Recommender, edition: Edition, user: Any, ip: str | None = None
) -> PackageBuild:
    """Queue a build, or return the one already under way (a second click starts nothing)."""
    with transaction.atomic():
        # One start at a time per recommender, on PostgreSQL as on SQLite: two clicks queue one.
        Recommender.objects.select_for_update().filter(pk=recommender.pk).first()
        expire_stale(recommender, edition)
        running = (
            PackageBuild.objects.filter(
                recommender=recommender,
                edition=edition,
                state__in=ACTIVE_STATES,
            )
            .select_related("recommender", "edition")
            .first()
        )
        if running is not None:
            return running
        build = PackageBuild(recommender=recommender, edition=edition, requested_by=user)
        build.full_clean()
        build.save()
        record(
            action="package.start",
            actor=user,
            target=build,
            data={"recommender": recommender.pk, "edition": edition.year},
            ip=ip,
        )
        transaction.on_commit(lambda: _enqueue(build.pk))
    return build


def _enqueue(build_pk: int) -> None:
    try:
        build_package.enqueue(build_pk)
    except Exception as error:  # a broken queue must not break the request that committed
        logger.exception("could not queue package build %s", build_pk)
        _fail(build_pk, error)


@task()
def build_package(build_pk: int) -> str:
    """Runs in the worker: build the ZIP, then move it into the store and mark the build done."""
    claimed = PackageBuild.objects.filter(pk=build_pk, state=PackageState.QUEUED).update(
        state=PackageState.RUNNING, updated_at=timezone.now()
    )
    if not claimed:  # already taken by another worker, or no longer wanted
        return "skipped"
    build = PackageBuild.objects.select_related("recommender", "edition").get(pk=build_pk)
    temp: Path | None = None
    try:
        temp = _new_temp()
        with temp.open("r+b") as out:
            write_package(
                out,
                recommender=build.recommender,
                edition=build.edition,
                progress=lambda done, total: _progress(build_pk, done, total),
            )
            out.flush()
            os.fsync(out.fileno())
        size, digest = temp.stat().st_size, _sha256(temp)
        stored_name = filestore.commit_temp(temp)
        temp = None
        try:
            PackageBuild.objects.filter(pk=build_pk).update(
                state=PackageState.DONE,
                stored_name=stored_name,
                size=size,
                sha256=digest,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        except BaseException:
            # The row could not take the file: drop it, so no file is left without a row.
            filestore.discard(filestore.path_for(stored_name))
            raise
    except BaseException as error:  # also a worker stopped mid-build: no partial file stays
        logger.exception("package build %s failed", build_pk)
        if temp is not None:
            filestore.discard(temp)
        _fail(build_pk, error)
        if not isinstance(error, Exception):
            raise
        return "failed"
    _prune_older(build)
    return "done"


def _prune_older(build: PackageBuild) -> None:
    """Drop the files of earlier builds: a package is derived data, the newest one is what counts.
    The row lets go of its file before the file goes, so no row points at a missing file."""
    older = PackageBuild.objects.filter(
        recommender_id=build.recommender_id, edition_id=build.edition_id, pk__lt=build.pk
    ).exclude(stored_name="")
    for pk, stored_name in older.values_list("pk", "stored_name"):
        PackageBuild.objects.filter(pk=pk).update(stored_name="")
        filestore.discard(filestore.path_for(stored_name))


def _new_temp() -> Path:
    path = filestore.temp_dir() / f"{uuid.uuid4().hex}.part"
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return path


def _progress(build_pk: int, done: int, total: int) -> None:
    # A plain UPDATE outside any transaction: the status poll sees each step at once.
    PackageBuild.objects.filter(pk=build_pk).update(
        done=done, total=total, updated_at=timezone.now()
    )


def _fail(build_pk: int, error: BaseException) -> None:
    # The cause (which may name a server path) is shown to the admin only; it is logged too.
    message = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
    PackageBuild.objects.filter(pk=build_pk).update(
        state=PackageState.FAILED, error=message, finished_at=timezone.now()
    )


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
