from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banzu.applications.models import Document
from banzu.core import filestore
from banzu.documents.models import PackageBuild
from banzu.screening.models import ArchiveDocument, Job


class Command(BaseCommand):
    help = "Report document rows whose file is missing and stored files that no row points at."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = dict(Document.objects.values_list("stored_name", "pk"))
        on_disk = set(filestore.stored_files())
        missing = sorted(name for name in rows if not filestore.path_for(name).is_file())
        # Built submission packages share the store; they can be rebuilt, so only their presence
        # on disk matters here (a package's file is known, not an orphan).
        archive = dict(ArchiveDocument.objects.values_list("stored_name", "pk"))
        missing_archive = sorted(n for n in archive if not filestore.path_for(n).is_file())
        uploads = set(Job.objects.exclude(upload_name="").values_list("upload_name", flat=True))
        packages = set(
            PackageBuild.objects.exclude(stored_name="").values_list("stored_name", flat=True)
        )
        orphans = sorted(on_disk - set(rows) - packages - set(archive) - uploads)
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
