"""The database's part of a backup: a consistent snapshot into a file, and its restore.

SQLite: the online backup API (sqlite3.Connection.backup) from a connection of its own, in one
step, so the copy is one read transaction's view while writers go on (WAL). PostgreSQL: pg_dump's
custom format inside an exported snapshot; the same snapshot gives the journal's head, the
applied migrations and the row counts, so the manifest describes exactly the dump.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"


@dataclass(frozen=True)
class Snapshot:
    vendor: str
    file: str
    head: tuple[int, str] | None
    migrations: dict[str, list[str]]
    counts: dict[str, int]


class DatabaseToolFailed(Exception):
    pass


def vendor() -> str:
    return str(connection.vendor)


def snapshot(dest: Path) -> Snapshot:
    if connection.vendor == "sqlite":
        return _snapshot_sqlite(dest / SQLITE_FILE)
    if connection.vendor == "postgresql":
        return _snapshot_postgres(dest / POSTGRES_FILE)
    raise NotImplementedError(f"No backup for {connection.vendor} databases.")


def _snapshot_sqlite(out: Path) -> Snapshot:
    source_path = Path(str(connection.settings_dict["NAME"]))
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    target = sqlite3.connect(out)
    try:
        source.backup(target)  # all pages in one step: one consistent view
        # One self-contained file, no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        head, migrations, counts = _facts(target.cursor(), "sqlite")
    finally:
        target.close()
        source.close()
    os.chmod(out, 0o600)
    return Snapshot("sqlite", out.name, head, migrations, counts)


def _snapshot_postgres(out: Path) -> Snapshot:
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        cursor = raw.cursor()
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot_id = cursor.fetchone()[0]
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", "--file", str(out)])
        head, migrations, counts = _facts(cursor, "postgresql")
        cursor.execute("COMMIT")
    finally:
        raw.close()
    os.chmod(out, 0o600)
    return Snapshot("postgresql", out.name, head, migrations, counts)


def _tables(cursor: Any, db_vendor: str) -> list[str]:
    if db_vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return sorted(str(row[0]) for row in cursor.fetchall())


def _counts(cursor: Any, db_vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, db_vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = int(cursor.fetchone()[0])
    return counts


def _facts(
    cursor: Any, db_vendor: str
) -> tuple[tuple[int, str] | None, dict[str, list[str]], dict[str, int]]:
    counts = _counts(cursor, db_vendor)
    head = None
    if "audit_audithead" in counts:
        cursor.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1")
        row = cursor.fetchone()
        head = (int(row[0]), str(row[1])) if row else None
    migrations: dict[str, list[str]] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        for app, name in cursor.fetchall():
            migrations.setdefault(str(app), []).append(str(name))
    return head, migrations, counts


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return _counts(cursor, connection.vendor)


def is_empty() -> bool:
    with connection.cursor() as cursor:
        return not _tables(cursor, connection.vendor)


def restore(source: Path, db_vendor: str) -> None:
    """Put a snapshot back into the (empty) database Django is configured with."""
    if db_vendor != connection.vendor:
        raise DatabaseToolFailed(
            f"The backup holds a {db_vendor} database; this server uses {connection.vendor}."
        )
    connection.close()
    if db_vendor == "sqlite":
        target_path = str(connection.settings_dict["NAME"])
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(target_path)
        try:
            backup.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            backup.close()
    else:
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--single-transaction",
                "--no-owner",
                "--no-privileges",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(source),
            ]
        )
    connection.close()


def _pg_env() -> dict[str, str]:
    params = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGDATABASE", "NAME"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(command: list[str]) -> None:
    # The password travels in the environment, never on the command line (ps would show it).
    try:
        result = subprocess.run(  # noqa: S603 - fixed PostgreSQL tools, our own arguments
            command, env=_pg_env(), capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DatabaseToolFailed(
            f"{command[0]} is not installed (Debian: apt-get install postgresql-client)."
        ) from None
    if result.returncode != 0:
        with contextlib.suppress(Exception):
            connection.close()
        raise DatabaseToolFailed(f"{command[0]} failed: {result.stderr.strip()[-1000:]}")
