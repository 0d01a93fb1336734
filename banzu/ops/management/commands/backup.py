from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from banzu.ops.backups import BackupError, make_backup, record_failure
from banzu.ops.database import DatabaseToolFailed


class Command(BaseCommand):
    help = (
        "Back up the database and the file store into a timestamped directory with a sealed "
        "manifest (every file's SHA-256, the journal's head), then delete the older backups "
        "beyond --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--to",
            type=Path,
            default=None,
            help="The directory the timestamped backups go into (default settings.BACKUP_DIR).",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=None,
            help="How many backups to keep there, newest first (default settings.BACKUP_KEEP, "
            "14; 0 keeps all).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        base = options["to"] or Path(settings.BACKUP_DIR)
        keep = options["keep"] if options["keep"] is not None else int(settings.BACKUP_KEEP)
        try:
            made = make_backup(base=base, keep=keep)
        except (BackupError, DatabaseToolFailed, OSError) as error:
            record_failure(error)
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(
            f"Backup {made.path}: the database and {made.files} file(s), {made.bytes} bytes; "
            f"the journal's head #{made.journal_seq} anchored."
        )
        for name in made.removed:
            self.stdout.write(f"Removed the older backup {base / name}.")
        self.stdout.write(self.style.SUCCESS("Backup complete."))
