"""When the last backup was made, read from the journal (each backup records `ops.backup`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from banzu.audit.models import AuditEntry


@dataclass(frozen=True)
class BackupInfo:
    at: dt.datetime
    name: str
    files: int
    bytes: int


@dataclass(frozen=True)
class BackupFailure:
    at: dt.datetime
    error: str


def last_backup() -> BackupInfo | None:
    entry = AuditEntry.objects.filter(action="ops.backup").order_by("-seq").first()
    if entry is None:
        return None
    return BackupInfo(
        at=entry.created_at,
        name=str(entry.data.get("name", "")),
        files=int(entry.data.get("files", 0)),
        bytes=int(entry.data.get("bytes", 0)),
    )


def failure_since_last_backup() -> BackupFailure | None:
    """The latest failed backup, when no backup has succeeded since."""
    last = (
        AuditEntry.objects.filter(action__in=["ops.backup", "ops.backup_failed"])
        .order_by("-seq")
        .first()
    )
    if last is None or last.action != "ops.backup_failed":
        return None
    return BackupFailure(at=last.created_at, error=str(last.data.get("error", "")))
