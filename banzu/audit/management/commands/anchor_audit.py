from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banzu.audit import anchors
from banzu.audit.chain import GENESIS
from banzu.audit.models import AuditHead
from banzu.audit.verification import verify_journal


class Command(BaseCommand):
    help = (
        "Verify the audit journal, then append its head (sequence number and hash) to the "
        "append-only anchor file (settings.AUDIT_ANCHOR_FILE). Run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_journal()
        if not verdict.ok:
            raise CommandError(f"Not anchored: {verdict.summary}")
        head = AuditHead.objects.filter(pk=1).first()
        seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
        anchors.append(seq=seq, digest=digest, by="anchor_audit")
        self.stdout.write(
            self.style.SUCCESS(f"Anchored the journal's head #{seq} in {anchors.anchor_file()}.")
        )
