"""Backups restore: back up a real application with its files, wipe (a new empty database and
file store, as on a new server), restore, and the journal, the files and every row are back; a
damaged backup is refused before anything is touched, naming the damaged file."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import django
import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from banzu.audit.models import AuditEntry, AuditHead
from banzu.audit.services import record
from banzu.core import filestore
from banzu.ops import manifest
from banzu.ops.selectors import failure_since_last_backup, last_backup
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _ops_paths(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"


def _tables(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return sorted(row[0] for row in cursor.fetchall())


def _counts(cursor, vendor: str) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - catalogue names
        counts[table] = cursor.fetchone()[0]
    return counts


def _store_hashes(root: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.glob("*/*")
        if path.parent.name != "tmp"
    }


def _only_backup(base: Path) -> Path:
    (backup,) = [p for p in base.iterdir() if p.is_dir()]
    return backup


@pytest.fixture
def application(open_edition, tmp_path):
    """An application with every document stored (files and rows), journalled by the services."""
    return make_complete(ApplicationFactory(edition=open_edition), tmp_path)


@dataclass
class NewServer(ABC):
    """An empty database and file store, as on a freshly installed server (SQLite or
    PostgreSQL below)."""

    env: dict[str, str]
    files: Path

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Every table's row count, read from the new server's database."""


@dataclass
class NewSqliteServer(NewServer):
    path: Path = Path()

    def counts(self) -> dict[str, int]:
        with sqlite3.connect(self.path) as db:
            return _counts(db.cursor(), "sqlite")


@dataclass
class NewPostgresServer(NewServer):
    conninfo: str = ""

    def counts(self) -> dict[str, int]:
        with psycopg.connect(self.conninfo) as db:
            return _counts(db.cursor(), "postgresql")


def _base_env(var: Path) -> dict[str, str]:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(var)),
        "LANG": "C.UTF-8",
        "SECRET_KEY": settings.SECRET_KEY,
        "BANZU_VAR_DIR": str(var),
        "BANZU_FILES_DIR": str(var / "files"),
    }
    if settings.AUDIT_KEY:
        env["BANZU_AUDIT_KEY"] = settings.AUDIT_KEY
    return env


@pytest.fixture
def new_server(tmp_path) -> Iterator[NewServer]:
    var = tmp_path / "new-server"
    var.mkdir()
    env = _base_env(var)
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(var / "banzu.sqlite3")
        yield NewSqliteServer(env, var / "files", path=var / "banzu.sqlite3")
        return
    params = connection.settings_dict
    name = f"banzu_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(
        dbname="postgres",
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{params['PASSWORD']}" if params["PASSWORD"] else ""
    url = f"postgres://{params['USER']}{password}@{params['HOST']}:{params['PORT'] or 5432}/{name}"
    env["DATABASE_URL"] = url
    try:
        yield NewPostgresServer(
            env, var / "files", conninfo=url.replace("postgres://", "postgresql://")
        )
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_gives_back_journal_files_and_rows(application, new_server, capsys):
    documents = application.documents.count()
    record(action="access.denied", data={"path": "/manage/"}, ip="10.0.0.9")
    with connection.cursor() as cursor:
        before = _counts(cursor, connection.vendor)
    originals = _store_hashes(filestore.root())
    entries = AuditEntry.objects.count()

    call_command("backup")
    backup = _only_backup(settings.BACKUP_DIR)
    assert capsys.readouterr().out.splitlines()[-1] == "Backup complete."

    restored = _manage(new_server.env, "restore", str(backup))

    assert restored.returncode == 0, restored.stderr
    lines = restored.stdout.splitlines()
    assert lines[0].startswith(f"Restored backup {backup.name} (made ")
    assert lines[0].endswith(
        f"the {connection.vendor} database and {documents} file(s), every SHA-256 matching "
        "the manifest."
    )
    assert f"Row counts equal the backup's in all {len(before)} tables." in lines
    assert f"verify_audit: Audit chain intact: {entries} entries verified." in lines
    # check_files ran and passed (a failing check_files makes the restore exit non-zero).
    checked = [line for line in lines if line.startswith("check_files: ")]
    assert checked != []
    assert [
        line
        for line in checked
        if line.startswith(("check_files: row without file", "check_files: file without row"))
    ] == []
    assert lines[-1] == "Restore complete: every check passed."
    # Every row is back (the journal has the restore's own entry on top), every file's bytes.
    assert new_server.counts() == {**before, "audit_auditentry": before["audit_auditentry"] + 1}
    assert _store_hashes(new_server.files) == originals
    assert len(originals) == documents
    # The restored server's journal verifies on its own, against the anchor the restore wrote.
    verified = _manage(new_server.env, "verify_audit")
    assert (verified.returncode, verified.stdout.splitlines()[-1]) == (
        0,
        f"Audit chain intact: {entries + 1} entries verified.",
    )
    assert verified.stdout.splitlines()[0].startswith("Checked against 1 anchor(s) in ")


@pytest.mark.django_db
def test_manifest_lists_every_file_the_journal_head_and_the_migrations(application):
    head = AuditHead.objects.get(pk=1)

    call_command("backup")

    backup = _only_backup(settings.BACKUP_DIR)
    data = manifest.read(backup)
    db_file = "database.sqlite3" if connection.vendor == "sqlite" else "database.dump"
    expected_files = {
        f"files/{name[:2]}/{name}": digest
        for name, digest in _store_hashes(filestore.root()).items()
    }
    assert {item["path"]: item["sha256"] for item in data["files"]} == {
        db_file: hashlib.sha256((backup / db_file).read_bytes()).hexdigest(),
        **expected_files,
    }
    assert {item["path"]: item["size"] for item in data["files"]}[db_file] == (
        (backup / db_file).stat().st_size
    )
    assert data["database"]["vendor"] == connection.vendor
    assert "0004_seal_existing_entries" in data["migrations"]["audit"]
    assert data["software"]["django"] == django.get_version()
    # pytest's transaction is not committed, so the snapshot holds the committed head: the seed.
    if connection.vendor == "sqlite":
        with sqlite3.connect(backup / db_file) as db:
            row = db.execute("SELECT seq, hash FROM audit_audithead WHERE id = 1").fetchone()
        assert data["journal"] == {"seq": row[0], "hash": row[1]}
    assert head.seq >= data["journal"]["seq"]


@pytest.mark.django_db
@pytest.mark.parametrize("damaged", ["file", "database"])
def test_a_flipped_byte_in_the_backup_is_refused_naming_the_file(application, damaged):
    call_command("backup")
    backup = _only_backup(settings.BACKUP_DIR)
    data = json.loads((backup / "manifest.json").read_text())
    files = [item["path"] for item in data["files"] if item["path"].startswith("files/")]
    target = files[0] if damaged == "file" else data["database"]["file"]
    content = bytearray((backup / target).read_bytes())
    content[len(content) // 2] ^= 0x01
    (backup / target).write_bytes(bytes(content))

    with pytest.raises(CommandError) as failure:
        call_command("restore", str(backup))

    assert str(failure.value) == (
        "Not restored: The backup is damaged, nothing was restored: "
        f"{target}: its SHA-256 does not match the manifest"
    )


@pytest.mark.django_db
def test_an_altered_manifest_is_refused(application):
    call_command("backup")
    backup = _only_backup(settings.BACKUP_DIR)
    data = json.loads((backup / "manifest.json").read_text())
    data["journal"]["seq"] += 5
    (backup / "manifest.json").write_text(json.dumps(data))

    with pytest.raises(CommandError) as failure:
        call_command("restore", str(backup))

    assert str(failure.value) == (
        f"Not restored: {backup / 'manifest.json'} does not match its seal: it was altered, or "
        "BANZU_AUDIT_KEY is not the key of the server that made the backup."
    )


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(application):
    call_command("backup")
    backup = _only_backup(settings.BACKUP_DIR)
    entries = AuditEntry.objects.count()

    with pytest.raises(CommandError) as failure:
        call_command("restore", str(backup))

    assert str(failure.value) == (
        "Not restored: The database is not empty: restore into a new, empty database (no "
        "tables), not over a running installation."
    )
    assert AuditEntry.objects.count() == entries


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_a_newer_version(application):
    call_command("backup")
    backup = _only_backup(settings.BACKUP_DIR)
    data = manifest.read(backup)
    data["migrations"]["audit"].append("0099_from_the_future")
    (backup / "manifest.json").unlink()
    manifest.write(backup, {k: v for k, v in data.items() if k not in ("seal", "format")})

    with pytest.raises(CommandError) as failure:
        call_command("restore", str(backup))

    assert str(failure.value) == (
        "Not restored: The backup was made by a newer version of banzu (it has migrations this "
        "code does not: audit.0099_from_the_future). Install that version first."
    )


@pytest.mark.django_db
def test_backup_is_journalled_anchored_and_shown_to_the_admin(application, admin_user):
    call_command("backup")

    backup = _only_backup(settings.BACKUP_DIR)
    entry = AuditEntry.objects.filter(action="ops.backup").get()
    assert entry.data["name"] == backup.name
    assert entry.data["manifest_sha256"] == (
        hashlib.sha256((backup / "manifest.json").read_bytes()).hexdigest()
    )
    info = last_backup()
    assert (info.name, info.at, info.files) == (
        backup.name,
        entry.created_at,
        application.documents.count(),
    )
    anchor = json.loads(settings.AUDIT_ANCHOR_FILE.read_text())
    assert (anchor["by"], anchor["seq"]) == (
        f"backup {backup.name}",
        manifest.read(backup)["journal"]["seq"],
    )
    at = timezone.localtime(entry.created_at)  # shown in Asia/Shanghai
    assert _line(admin_user) == (
        f'<p class="backup-status">Last backup: {at:%Y-%m-%d %H:%M} ({backup.name}).</p>'
    )
    assert _line(application.created_by) == ""


@pytest.mark.django_db
def test_failed_backup_is_journalled_and_shown(admin_user, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("x")

    with pytest.raises(CommandError) as failure:
        call_command("backup", "--to", str(blocked))

    assert str(failure.value).startswith("Backup failed: [Errno 17] File exists")
    assert last_backup() is None
    failed = failure_since_last_backup()
    assert failed is not None
    assert AuditEntry.objects.filter(action="ops.backup_failed").get().created_at == failed.at
    assert _line(admin_user).startswith(
        '<p class="backup-status">No backup has been made yet. <strong>The backup of '
    )


def test_retention_keeps_the_newest_and_removes_what_a_killed_backup_left(db, tmp_path):
    base = tmp_path / "kept"
    base.mkdir()
    for name in ("20260101T000000Z", "20260102T000000Z", "20260103T000000Z"):
        (base / name).mkdir()
        (base / name / "manifest.json").write_text("{}")
    (base / "20260104T000000Z.partial").mkdir()
    (base / "notes").mkdir()

    call_command("backup", "--to", str(base), "--keep", "2")

    (newest,) = [p.name for p in base.iterdir() if p.name[:8] > "20260104" and p.name < "3"]
    assert (newest[:4], sorted(p.name for p in base.iterdir() if p.is_dir())) == (
        "2026",
        sorted(["20260103T000000Z", newest, "notes"]),
    )


def _line(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    html = Template("{% load backups %}{% last_backup_line %}").render(
        Context({"request": request})
    )
    return html.strip()


def test_the_admins_overview_says_when_the_last_backup_was_made(admin_user, recommender_hz):
    page = client_for(admin_user).get(reverse("home")).content.decode()
    assert '<p class="backup-status">No backup has been made yet.</p>' in page
    other = client_for(recommender_hz).get(reverse("home")).content.decode()
    assert "backup-status" not in other
