"""Anchors: the journal's head written outside the database, one line at a time, append-only.

`manage.py anchor_audit` (daily) and every backup append the head (sequence number and hash) to
settings.AUDIT_ANCHOR_FILE. Whoever can write to the database can delete the journal's tail and
move AuditHead back; the anchor still names the later head, so `verify_audit` sees the removal.
Each line is sealed with the journal's key and names its database, so a test database or a copy
restored elsewhere is not checked against another database's anchors.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections

from banzu.audit.keys import seal, seal_matches


@dataclass(frozen=True)
class Anchor:
    at: str
    db: str
    seq: int
    hash: str
    by: str


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def database_label(alias: str = "default") -> str:
    """Which database a journal lives in: its file for SQLite, host, port and name otherwise."""
    connection = connections[alias]
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:{Path(str(params['NAME'])).resolve()}"
    host = params.get("HOST") or "localhost"
    return f"{connection.vendor}://{host}:{params.get('PORT') or ''}/{params['NAME']}"


def _message(anchor: Anchor) -> str:
    return f"anchor\n{anchor.at}\n{anchor.db}\n{anchor.seq}\n{anchor.hash}\n{anchor.by}"


def append(*, seq: int, digest: str, by: str) -> Anchor:
    anchor = Anchor(
        at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        db=database_label(),
        seq=seq,
        hash=digest,
        by=by,
    )
    line = json.dumps({**anchor.__dict__, "mac": seal(_message(anchor))}, ensure_ascii=False)
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return anchor


@dataclass
class Reading:
    anchors: list[Anchor]  # this database's, in file order
    problems: list[str]  # this database's lines that are damaged or not sealed with our key
    others: int  # lines of other databases, not checked


def read() -> Reading:
    path = anchor_file()
    label = database_label()
    reading = Reading([], [], 0)
    if not path.exists():
        return reading
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
            anchor = Anchor(
                at=str(raw["at"]),
                db=str(raw["db"]),
                seq=int(raw["seq"]),
                hash=str(raw["hash"]),
                by=str(raw["by"]),
            )
            mac = str(raw["mac"])
        except (ValueError, KeyError, TypeError):
            reading.problems.append(f"line {number} of {path} is not an anchor")
            continue
        if anchor.db != label:
            reading.others += 1
        elif not seal_matches(_message(anchor), mac):
            reading.problems.append(
                f"line {number} of {path} does not match its seal: it was altered, or "
                "BANZU_AUDIT_KEY is not the key it was written with"
            )
        else:
            reading.anchors.append(anchor)
    return reading
