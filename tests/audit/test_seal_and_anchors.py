"""Rewriting the journal is detected although the rewriter recomputes the hashes: every entry's
seal needs the key kept out of the database, and anchors outside the database remember the
head, so a removed tail is seen even when AuditHead was moved back with it."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from banzu.audit import actions, anchors
from banzu.audit.chain import entry_hash, entry_mac
from banzu.audit.checks import check_audit_key
from banzu.audit.keys import audit_key
from banzu.audit.models import AuditEntry, AuditHead
from banzu.audit.services import record

actions.register("test.n")
SEAL_BROKEN = (
    "its seal does not match: the entry was rewritten, or BANZU_AUDIT_KEY is not the key it "
    "was written with"
)


def _journal(user, n: int = 5) -> list[AuditEntry]:
    return [record(action="test.n", actor=user, data={"i": i}) for i in range(n)]


def _rewrite_from(seq: int, action: str) -> None:
    """What a rewriter with database access does: change one entry, recompute every plain hash
    from it on, and move the head along."""
    prev = AuditEntry.objects.get(seq=seq).prev_hash
    with connection.cursor() as cursor:
        for entry in AuditEntry.objects.filter(seq__gte=seq).order_by("seq"):
            if entry.seq == seq:
                entry.action = action
            digest = entry_hash(entry.chain_content(), prev)
            cursor.execute(
                "UPDATE audit_auditentry SET action = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [entry.action, prev, digest, entry.pk],
            )
            prev = digest
        cursor.execute("UPDATE audit_audithead SET hash = %s WHERE id = 1", [prev])


def _cut_tail_and_move_head(keep: int) -> None:
    kept = AuditEntry.objects.get(seq=keep)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq > %s", [keep])
        cursor.execute(
            "UPDATE audit_audithead SET seq = %s, hash = %s WHERE id = 1", [kept.seq, kept.hash]
        )


@pytest.mark.django_db
def test_every_entry_carries_the_seal_of_its_hash(admin_user):
    entry = record(action="test.n", actor=admin_user)

    assert entry.mac == entry_mac(audit_key(), entry.seq, entry.hash)
    assert len(entry.mac) == 64


@pytest.mark.django_db
def test_rewritten_entry_with_recomputed_hashes_is_detected(admin_user):
    entries = _journal(admin_user)
    _rewrite_from(entries[2].seq, "forged")

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    assert str(failure.value) == f"Audit chain broken at entry #{entries[2].seq}: {SEAL_BROKEN}"


@pytest.mark.django_db
def test_verify_audit_refuses_another_key(admin_user, settings):
    entries = _journal(admin_user, 2)
    settings.AUDIT_KEY = "another-key-" + "k" * 40

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    assert str(failure.value) == f"Audit chain broken at entry #{entries[0].seq}: {SEAL_BROKEN}"


@pytest.mark.django_db
def test_removed_tail_with_head_moved_back_is_detected_by_the_anchor(admin_user, capsys):
    entries = _journal(admin_user)
    call_command("anchor_audit")
    anchored = entries[-1].seq
    assert capsys.readouterr().out.startswith(f"Anchored the journal's head #{anchored} in ")
    _cut_tail_and_move_head(keep=entries[1].seq)

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    at = anchors.read().anchors[0].at
    assert str(failure.value) == (
        f"Audit chain broken after entry #{entries[1].seq}: the anchor of {at} (anchor_audit) "
        f"recorded the journal's head at #{anchored}; later entries were removed"
    )


@pytest.mark.django_db
def test_removed_tail_behind_the_last_anchor_is_not_seen_without_one(admin_user):
    """The anchor is what detects it: the same cut, with no anchor, passes the chain checks."""
    entries = _journal(admin_user)
    _cut_tail_and_move_head(keep=entries[1].seq)

    call_command("verify_audit")


@pytest.mark.django_db
def test_untouched_journal_passes_with_anchors(admin_user, capsys, anchor_file):
    entries = _journal(admin_user, 3)
    call_command("anchor_audit")
    later = _journal(admin_user, 2)
    call_command("anchor_audit")
    capsys.readouterr()

    call_command("verify_audit")

    count = AuditEntry.objects.count()
    assert capsys.readouterr().out.splitlines() == [
        f"Checked against 2 anchor(s) in {anchor_file}; the latest records entry "
        f"#{later[-1].seq} ({anchors.read().anchors[-1].at}, anchor_audit).",
        f"Audit chain intact: {count} entries verified.",
    ]
    assert [a.seq for a in anchors.read().anchors] == [entries[-1].seq, later[-1].seq]


@pytest.mark.django_db
def test_rewritten_anchored_entry_is_named_by_the_anchor(admin_user, settings):
    """Even a rewriter holding the key cannot move an anchored entry: the anchor remembers it."""
    entries = _journal(admin_user, 3)
    call_command("anchor_audit")
    _rewrite_from(entries[-1].seq, "forged")
    forged = AuditEntry.objects.get(seq=entries[-1].seq)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET mac = %s WHERE id = %s",
            [entry_mac(audit_key(), forged.seq, forged.hash), forged.pk],
        )

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    at = anchors.read().anchors[0].at
    assert str(failure.value) == (
        f"Entry #{entries[-1].seq} differs from the anchor of {at} (anchor_audit)"
    )


@pytest.mark.django_db
def test_altered_anchor_line_is_reported(admin_user, anchor_file):
    entries = _journal(admin_user, 2)
    call_command("anchor_audit")
    line = json.loads(anchor_file.read_text())
    line["seq"] = entries[0].seq  # pretend the head was earlier, to hide a later cut
    anchor_file.write_text(json.dumps(line) + "\n")

    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")

    assert str(failure.value) == (
        f"line 1 of {anchor_file} does not match its seal: it was altered, or "
        "BANZU_AUDIT_KEY is not the key it was written with"
    )


@pytest.mark.django_db
def test_anchors_of_another_database_are_not_applied(admin_user, anchor_file):
    entries = _journal(admin_user, 2)
    call_command("anchor_audit")
    line = json.loads(anchor_file.read_text())
    line["db"] = "sqlite:/elsewhere/banzu.sqlite3"
    line["seq"] = entries[-1].seq + 100
    anchor_file.write_text(json.dumps(line) + "\n")

    call_command("verify_audit")

    assert (anchors.read().anchors, anchors.read().others) == ([], 1)


@pytest.mark.django_db
def test_anchor_audit_refuses_a_broken_journal(admin_user, anchor_file):
    entries = _journal(admin_user, 3)
    _rewrite_from(entries[0].seq, "forged")

    with pytest.raises(CommandError) as failure:
        call_command("anchor_audit")

    assert str(failure.value) == (
        f"Not anchored: Audit chain broken at entry #{entries[0].seq}: {SEAL_BROKEN}"
    )
    assert not anchor_file.exists()


@pytest.mark.django_db
def test_migration_seals_the_entries_written_before_the_key(admin_user, capsys):
    entries = _journal(admin_user, 3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET mac = ''")
    with pytest.raises(CommandError):
        call_command("verify_audit")

    # The migration's function with the historical models it runs with.
    state = MigrationExecutor(connection).loader.project_state(("audit", "0003_auditentry_mac"))
    importlib.import_module("banzu.audit.migrations.0004_seal_existing_entries").seal(
        state.apps, None
    )
    capsys.readouterr()
    call_command("verify_audit")

    sealed = AuditEntry.objects.get(action="audit.sealed")
    assert (sealed.seq, sealed.data, sealed.prev_hash) == (
        entries[-1].seq + 1,
        {"through": entries[-1].seq},
        entries[-1].hash,
    )
    assert AuditHead.objects.get(pk=1).seq == sealed.seq
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"Entries #1–#{entries[-1].seq} were written before the journal had a key and were "
        f"sealed on {sealed.created_at:%Y-%m-%d} (entry #{sealed.seq}): before that date only "
        "the hash chain protected them."
    )


def test_production_requires_the_audit_key(settings):
    settings.PRODUCTION = True
    settings.AUDIT_KEY = ""
    assert [(m.id, m.msg) for m in check_audit_key()] == [
        ("banzu.audit.E001", "BANZU_AUDIT_KEY is not set: the audit journal cannot be sealed.")
    ]
    settings.AUDIT_KEY = "short"
    assert [m.msg for m in check_audit_key()] == [
        "BANZU_AUDIT_KEY is shorter than 32 characters: the audit journal cannot be sealed."
    ]
    settings.AUDIT_KEY = "a" * 32
    assert check_audit_key() == []


def test_development_needs_no_audit_key(settings):
    settings.PRODUCTION = False
    settings.AUDIT_KEY = ""
    assert check_audit_key() == []


def _check_deploy(tmp_path: Path, **extra: str) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    env = {
        "PATH": os.environ["PATH"],
        "BANZU_ENV": "production",
        "SECRET_KEY": "p" * 20 + "-Zx9!q" + "r" * 30,
        "SQLITE_PATH": str(tmp_path / "prod.sqlite3"),
        "BANZU_VAR_DIR": str(tmp_path),
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_with_production_settings_needs_the_audit_key(tmp_path):
    without = _check_deploy(tmp_path)
    given = _check_deploy(tmp_path, BANZU_AUDIT_KEY="a-" + "Qx7!" * 12)

    assert without.returncode == 1
    assert "banzu.audit.E001" in without.stderr
    assert (given.returncode, given.stdout.strip()) == (
        0,
        "System check identified no issues (0 silenced).",
    )
