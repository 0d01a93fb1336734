from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from banzu.applications.models import Document
from banzu.core import filestore
from banzu.jobs.selectors import stored_names as job_files
from banzu.presentations.models import PresentationSheet
from banzu.publicity.models import ObjectionFile
from banzu.screening.models import ArchiveDocument


def _other_rows() -> list[tuple[str, dict[str, Any]]]:
    """Every other kind of row that keeps a file in the store: (label, stored name -> pk)."""
    return [
        ("archive document", dict(ArchiveDocument.objects.values_list("stored_name", "pk"))),
        (
            "paper presentation sheet",
            dict(PresentationSheet.objects.exclude(scan_path="").values_list("scan_path", "pk")),
        ),
        ("objection file", dict(ObjectionFile.objects.values_list("stored_name", "pk"))),
    ]


class Command(BaseCommand):
    help = "Report document rows whose file is missing and stored files that no row points at."

    def handle(self, *args: Any, **options: Any) -> None:
        rows = dict(Document.objects.values_list("stored_name", "pk"))
        on_disk = set(filestore.stored_files())
        missing = sorted(name for name in rows if not filestore.path_for(name).is_file())
        # Jobs' files (built packages, uploaded archives, certificate ZIPs) share the store; a
        # job's file can be rebuilt, so only its presence on disk matters (it is not an orphan).
        others = _other_rows()
        known = set(rows) | job_files()
        for _label, names in others:
            known |= set(names)
        orphans = sorted(on_disk - known)
        for name in missing:
            self.stdout.write(f"row without file: document {rows[name]} ({name})")
        for label, names in others:
            for name in sorted(n for n in names if not filestore.path_for(n).is_file()):
                self.stdout.write(f"row without file: {label} {names[name]} ({name})")
        for name in orphans:
            self.stdout.write(f"file without row: {name}")
        if missing:
            raise CommandError(f"{len(missing)} document row(s) point at missing files.")
        summary = f"{len(rows)} document rows checked; {len(orphans)} file(s) without a row."
        self.stdout.write(self.style.SUCCESS(summary))
