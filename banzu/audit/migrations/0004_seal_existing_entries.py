"""Seal the entries written before the journal had a key, then journal that it was done.

From here on every entry carries its seal (banzu.audit.chain.entry_mac). The entries sealed here
were protected by the hash chain alone until now; `verify_audit` says so, naming the last one
through the `audit.sealed` entry this migration appends."""

import datetime as dt

from django.db import migrations


def seal(apps, schema_editor):
    from banzu.audit.chain import GENESIS, entry_hash, entry_mac
    from banzu.audit.keys import audit_key
    from banzu.audit.models import chain_content

    Entry = apps.get_model("audit", "AuditEntry")
    Head = apps.get_model("audit", "AuditHead")
    key = audit_key()
    batch = []
    for entry in Entry.objects.filter(mac="").order_by("seq").iterator(chunk_size=1000):
        entry.mac = entry_mac(key, entry.seq, entry.hash)
        batch.append(entry)
        if len(batch) == 1000:
            Entry.objects.bulk_update(batch, ["mac"])
            batch = []
    Entry.objects.bulk_update(batch, ["mac"])
    if not Entry.objects.exists():
        return
    head, _ = Head.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    fields = {
        "seq": head.seq + 1,
        "created_at": dt.datetime.now(dt.UTC),
        "actor_id": None,
        "actor_username": "",
        "action": "audit.sealed",
        "target_type": "",
        "target_id": None,
        "data": {"through": head.seq},
        "ip": None,
    }
    digest = entry_hash(chain_content(**dict(fields)), head.hash)
    Entry.objects.create(
        **fields, prev_hash=head.hash, hash=digest, mac=entry_mac(key, fields["seq"], digest)
    )
    Head.objects.filter(pk=1).update(seq=fields["seq"], hash=digest)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditentry_mac")]
    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]
