from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banzu.audit.verification import verify_journal


class Command(BaseCommand):
    help = (
        "Verify the audit journal: its hash chain, every entry's seal (BANZU_AUDIT_KEY), its "
        "head, and the anchors written outside the database; name the first broken entry."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify_journal()
        for note in verdict.notes:
            self.stdout.write(note)
        for problem in verdict.problems[1:]:
            self.stderr.write(problem)
        if not verdict.ok:
            raise CommandError(verdict.summary)
        self.stdout.write(self.style.SUCCESS(verdict.summary))
