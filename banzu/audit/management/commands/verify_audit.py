from __future__ import annotations

from collections.abc import Generator
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError

from banzu.audit.chain import Link, verify
from banzu.audit.models import AuditEntry, AuditHead


class Command(BaseCommand):
    help = "Verify the audit journal's hash chain and name the first broken entry."

    def handle(self, *args: Any, **options: Any) -> None:
        entries = cast(
            Generator[AuditEntry, None, None],
            AuditEntry.objects.order_by("seq").iterator(chunk_size=2000),
        )
        try:
            broken = verify(Link(e.seq, e.chain_content(), e.prev_hash, e.hash) for e in entries)
        finally:
            # Close the server-side cursor (PostgreSQL) now, even when verify stopped early.
            entries.close()
        if broken is not None:
            raise CommandError(f"Audit chain broken at entry #{broken.seq}: {broken.reason}")
        last = AuditEntry.objects.order_by("-seq").first()
        head = AuditHead.objects.filter(pk=1).first()
        if head is not None and (last is None or (last.seq, last.hash) != (head.seq, head.hash)):
            raise CommandError(
                f"Audit chain broken after entry #{last.seq if last else 0}: "
                f"the journal's tip was #{head.seq}; later entries were removed"
            )
        count = AuditEntry.objects.count()
        self.stdout.write(self.style.SUCCESS(f"Audit chain intact: {count} entries verified."))
