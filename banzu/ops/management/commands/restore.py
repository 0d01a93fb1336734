from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banzu.ops.backups import BackupError, restore_backup
from banzu.ops.database import DatabaseToolFailed


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` onto an empty database and file store: "
        "check every file against the manifest first, then restore, then verify the journal, "
        "the files and the row counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="The backup's directory.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore_backup(options["directory"])
        except (BackupError, DatabaseToolFailed) as error:
            raise CommandError(f"Not restored: {error}") from error
        for line in restored.lines:
            self.stdout.write(line)
        for problem in restored.problems:
            self.stderr.write(problem)
        if not restored.ok:
            raise CommandError(f"Restored, but the checks failed: {restored.problems[0]}")
        self.stdout.write(self.style.SUCCESS("Restore complete: every check passed."))
