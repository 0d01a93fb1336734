"""Backups: the database and the file store, consistent, with a sealed manifest; and their
restore onto an empty server, checked before (every hash) and after (journal, files, rows).

A backup is built in `<name>.partial` and renamed when complete, so a directory with the plain
timestamp name is always a finished backup. The file store is copied before and after the
database snapshot: a row in the snapshot points at a file that existed when the snapshot was
taken (files are written before their rows), and such a file is in the first pass, or, being
newer, in the second.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import io
import os
import platform
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.migrations.loader import MigrationLoader

from banzu.audit import anchors
from banzu.audit.models import AuditHead
from banzu.audit.services import record
from banzu.audit.verification import verify_journal
from banzu.core import filestore
from banzu.ops import database, manifest

BACKUP_NAME = re.compile(r"^\d{8}T\d{6}Z(?:-\d+)?$")
FILES = "files"


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class Made:
    path: Path
    files: int
    bytes: int
    journal_seq: int
    removed: list[str]


def make_backup(*, base: Path, keep: int) -> Made:
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _locked(base):
        _remove_partials(base)
        started = dt.datetime.now(dt.UTC)
        name = _new_name(base, started)
        work = base / f"{name}.partial"
        work.mkdir(mode=0o700)
        (work / FILES).mkdir(mode=0o700)
        try:
            copied = _copy_store(work / FILES, {})
            snapshot = database.snapshot(work)
            copied = _copy_store(work / FILES, copied)
            sha256, size = manifest.hash_file(work / snapshot.file)
            files = [manifest.entry(snapshot.file, sha256, size)] + [
                manifest.entry(f"{FILES}/{n[:2]}/{n}", *copied[n]) for n in sorted(copied)
            ]
            head = snapshot.head or (0, "")
            manifest.write(
                work,
                {
                    "name": name,
                    "created_at": started.isoformat(),
                    "finished_at": dt.datetime.now(dt.UTC).isoformat(),
                    "database": {
                        "vendor": snapshot.vendor,
                        "file": snapshot.file,
                        "tables": snapshot.counts,
                    },
                    "journal": {"seq": head[0], "hash": head[1]},
                    "migrations": snapshot.migrations,
                    "software": _software(),
                    "files": files,
                },
            )
            final = base / name
            work.rename(final)
            _fsync_dir(base)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if snapshot.head is not None:
            anchors.append(seq=head[0], digest=head[1], by=f"backup {name}")
        total = sum(int(item["size"]) for item in files)
        record(
            action="ops.backup",
            data={
                "name": name,
                "directory": str(final),
                "files": len(copied),
                "bytes": total,
                "journal_seq": head[0],
                "manifest_sha256": manifest.hash_file(final / manifest.NAME)[0],
            },
        )
        removed = prune(base, keep=keep)
    return Made(final, len(copied), total, head[0], removed)


def record_failure(error: BaseException) -> None:
    with contextlib.suppress(Exception):  # the database may be what failed
        record(action="ops.backup_failed", data={"error": str(error)[:500]})


def prune(base: Path, *, keep: int) -> list[str]:
    """Delete all but the newest `keep` finished backups (keep 0: delete none)."""
    if keep <= 0:
        return []
    finished = sorted(
        path.name
        for path in base.iterdir()
        if path.is_dir() and BACKUP_NAME.match(path.name) and (path / manifest.NAME).is_file()
    )
    removed = finished[:-keep]
    for name in removed:
        shutil.rmtree(base / name)
    return removed


@contextlib.contextmanager
def _locked(base: Path) -> Iterator[None]:
    fd = os.open(base / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"Another backup into {base} is running.") from None
        yield
    finally:
        os.close(fd)


def _remove_partials(base: Path) -> None:
    # Under the lock, a .partial directory is what a killed backup left.
    for path in base.glob("*.partial"):
        shutil.rmtree(path, ignore_errors=True)


def _new_name(base: Path, when: dt.datetime) -> str:
    stem = when.strftime("%Y%m%dT%H%M%SZ")
    name, n = stem, 1
    while (base / name).exists() or (base / f"{name}.partial").exists():
        name, n = f"{stem}-{n}", n + 1
    return name


def _copy_store(target: Path, copied: dict[str, tuple[str, int]]) -> dict[str, tuple[str, int]]:
    copied = dict(copied)
    for name in filestore.stored_files():
        if name in copied:
            continue
        try:
            source = filestore.path_for(name)
        except ValueError:
            continue  # not a stored name: check_files reports it
        try:
            copied[name] = manifest.copy_hashing(source, target / name[:2] / name)
        except FileNotFoundError:
            continue  # deleted since it was listed, so no row of the snapshot points at it
    return copied


def _software() -> dict[str, str]:
    try:
        banzu_version = metadata.version("banzu")
    except metadata.PackageNotFoundError:
        banzu_version = ""
    return {
        "banzu": banzu_version,
        "django": django.get_version(),
        "python": platform.python_version(),
    }


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- Restore ----------------------------------------------------------------------------------


@dataclass
class Restored:
    name: str
    files: int
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def restore_backup(directory: Path) -> Restored:
    """Restore a backup onto an empty database and file store, then check what was restored.

    Refuses before changing anything when the backup is damaged (naming the file), comes from a
    newer version of banzu, or when the database or the file store is not empty."""
    data = _checked_manifest(directory)
    newer, older = _schema_difference(data["migrations"])
    if newer:
        raise BackupError(
            "The backup was made by a newer version of banzu (it has migrations this code "
            f"does not: {', '.join(newer[:5])}). Install that version first."
        )
    if not database.is_empty():
        raise BackupError(
            "The database is not empty: restore into a new, empty database (no tables), "
            "not over a running installation."
        )
    if any(True for _ in filestore.stored_files()):
        raise BackupError(f"The file store {filestore.root()} is not empty.")

    db = data["database"]
    database.restore(directory / db["file"], db["vendor"])
    files = [item for item in data["files"] if str(item["path"]).startswith(f"{FILES}/")]
    for item in files:
        name = Path(str(item["path"])).name
        target = filestore.path_for(name)
        sha256, _size = manifest.copy_hashing(directory / str(item["path"]), target)
        if sha256 != item["sha256"]:
            raise BackupError(f"{item['path']} changed while it was restored (disk fault?).")
    result = Restored(str(data["name"]), len(files))
    result.lines.append(
        f"Restored backup {data['name']} (made {data['created_at']}): the {db['vendor']} "
        f"database and {len(files)} file(s), every SHA-256 matching the manifest."
    )
    if older:
        result.problems.append(
            "The backup's schema is older than this code: run `manage.py migrate`, then "
            "`manage.py verify_audit` and `manage.py check_files`."
        )
        return result
    _check_restored(data, result)
    entry = record(
        action="ops.restore",
        data={"name": data["name"], "journal_seq": data["journal"]["seq"], "ok": result.ok},
    )
    if result.ok:
        # This database's first anchor: the restored journal, and the restore's own entry.
        anchors.append(seq=entry.seq, digest=entry.hash, by=f"restore {data['name']}")
    return result


def _checked_manifest(directory: Path) -> dict[str, Any]:
    try:
        data = manifest.read(directory)
    except manifest.ManifestError as error:
        raise BackupError(str(error)) from None
    damaged = manifest.damaged(directory, data["files"])
    if damaged:
        listed = "; ".join(damaged[:10])
        raise BackupError(f"The backup is damaged, nothing was restored: {listed}")
    return data


def _schema_difference(applied: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    in_backup = {(app, name) for app, names in applied.items() for name in names}
    newer = sorted(f"{app}.{name}" for app, name in in_backup - on_disk)
    older = sorted(f"{app}.{name}" for app, name in on_disk - in_backup)
    return newer, older


def _check_restored(data: dict[str, Any], result: Restored) -> None:
    counts = database.row_counts()
    expected = data["database"]["tables"]
    differ = sorted(t for t in set(counts) | set(expected) if counts.get(t) != expected.get(t))
    if differ:
        result.problems.append(
            "Row counts differ from the backup's: "
            + ", ".join(f"{t} {counts.get(t)} (backup {expected.get(t)})" for t in differ[:10])
        )
    else:
        result.lines.append(f"Row counts equal the backup's in all {len(counts)} tables.")

    head = AuditHead.objects.filter(pk=1).first()
    journal = data["journal"]
    if head is None or (head.seq, head.hash) != (journal["seq"], journal["hash"]):
        result.problems.append(
            f"The journal's head is not the one the backup recorded (#{journal['seq']})."
        )
    verdict = verify_journal()
    result.lines.extend(f"verify_audit: {note}" for note in verdict.notes)
    if verdict.ok:
        result.lines.append(f"verify_audit: {verdict.summary}")
    else:
        result.problems.extend(f"verify_audit: {problem}" for problem in verdict.problems)

    out = io.StringIO()
    try:
        call_command("check_files", stdout=out, stderr=out)
    except CommandError as error:
        result.lines.extend(f"check_files: {line}" for line in out.getvalue().splitlines())
        result.problems.append(f"check_files: {error}")
    else:
        result.lines.extend(f"check_files: {line}" for line in out.getvalue().splitlines())
