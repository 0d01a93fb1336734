from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from banzu.audit import actions
from banzu.audit.chain import GENESIS, Link, entry_hash, verify
from banzu.audit.models import AuditEntry
from banzu.audit.services import record

# The journal refuses unregistered names; these tests journal their own.
actions.register("test.one", "test.two", "test.n", "test.concurrent")


def test_chain_verify_pure_detects_changed_content():
    first = {"seq": 1, "action": "a"}
    h1 = entry_hash(first, GENESIS)
    second = {"seq": 2, "action": "b"}
    h2 = entry_hash(second, h1)
    good = [Link(1, first, GENESIS, h1), Link(2, second, h1, h2)]
    assert verify(good) is None

    tampered = [Link(1, {"seq": 1, "action": "x"}, GENESIS, h1), Link(2, second, h1, h2)]
    broken = verify(tampered)
    assert (broken.seq, broken.reason) == (1, "content does not match its hash")


@pytest.mark.django_db
def test_record_links_each_entry_to_the_previous(admin_user):
    first = record(action="test.one", actor=admin_user, data={"n": 1}, ip="10.0.0.1")
    second = record(action="test.two", actor=admin_user)

    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    assert (first.actor_username, first.ip, first.created_at.utcoffset().total_seconds()) == (
        "prov_admin",
        "10.0.0.1",
        0,
    )


@pytest.mark.django_db
def test_audit_entries_cannot_be_changed_or_deleted(admin_user):
    entry = record(action="test.one", actor=admin_user)
    entry.action = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


@pytest.mark.django_db
def test_verify_audit_command_passes_on_intact_chain(admin_user, capsys):
    for i in range(5):
        record(action="test.n", actor=admin_user, data={"i": i, "text": "中文"})
    call_command("verify_audit")
    assert capsys.readouterr().out.strip().endswith("entries verified.")


@pytest.mark.django_db
def test_verify_audit_command_names_first_tampered_entry(admin_user):
    entries = [record(action="test.n", actor=admin_user, data={"i": i}) for i in range(5)]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", entries[2].pk]
        )
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert str(failure.value) == (
        f"Audit chain broken at entry #{entries[2].seq}: content does not match its hash"
    )


@pytest.mark.django_db
def test_verify_audit_command_detects_removed_tail(admin_user):
    entries = [record(action="test.n", actor=admin_user) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert f"the journal's tip was #{entries[-1].seq}" in str(failure.value)


@pytest.mark.django_db
def test_verify_audit_command_detects_removed_middle_entry(admin_user):
    entries = [record(action="test.n", actor=admin_user) for _ in range(3)]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert str(failure.value).startswith(f"Audit chain broken at entry #{entries[1].seq}:")


@pytest.mark.django_db(transaction=True)
def test_many_simultaneous_writers_lose_nothing():
    """Eight threads append at once: every entry lands and the chain stays whole."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                record(action="test.concurrent", data={"writer": n, "i": i})
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AuditEntry.objects.filter(action="test.concurrent").count() == 120
    assert sorted(AuditEntry.objects.values_list("seq", flat=True)) == list(
        range(1, AuditEntry.objects.count() + 1)
    )
    call_command("verify_audit")
