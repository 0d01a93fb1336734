from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banzu.applications.models import Document
from banzu.core import filestore
from banzu.jobs.selectors import stored_names as job_files
from banzu.screening.models import ArchiveDocument


class Command(BaseCommand):
    help = "Report document rows whose file is missing and stored files that no row points at."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = dict(Document.objects.values_list("stored_name", "pk"))
        on_disk = set(filestore.stored_files())
        missing = sorted(name for name in rows if not filestore.path_for(name).is_file())
        # Jobs' files (built packages, uploaded archives) share the store; a package can be
        # rebuilt, so only their presence on disk matters here (a job's file is not an orphan).
        archive = dict(ArchiveDocument.objects.values_list("stored_name", "pk"))
        missing_archive = sorted(n for n in archive if not filestore.path_for(n).is_file())
        orphans = sorted(on_disk - set(rows) - set(archive) - job_files())
        for name in missing:
            self.stdout.write(f"row without file: document {rows[name]} ({name})")
        for name in missing_archive:
            self.stdout.write(f"row without file: archive document {archive[name]} ({name})")
        for name in orphans:
            self.stdout.write(f"file without row: {name}")
        if missing:
            raise CommandError(f"{len(missing)} document row(s) point at missing files.")
        summary = f"{len(rows)} document rows checked; {len(orphans)} file(s) without a row."
        self.stdout.write(self.style.SUCCESS(summary))
