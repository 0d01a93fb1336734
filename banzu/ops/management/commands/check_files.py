"""`manage.py check_files`: does the private file store still hold what the database says?

Every row that keeps a file (applicants' documents, archive documents, paper sheets' scans,
objection evidence, jobs' files) is checked for its file and, for all of them or a random sample
(`--sample N`, `--sample-percent P`), for the file's SHA-256 against the row's: a flipped byte is
reported with the row it belongs to. Files no row points at are reported too. Any of the three
fails the exit code. A file written in the last minutes (`--grace-minutes`) is not yet counted
without a row: its upload or job may still be saving the row.

Temporary files (the store's `.part` files, Django's temporary uploads) are listed when a day old,
left by a server or worker that was killed; `--clean` removes them, as the worker does daily
(banzu.jobs.housekeeping).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from argparse import ArgumentParser, ArgumentTypeError
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from banzu.applications.models import Document
from banzu.core import filestore
from banzu.jobs import housekeeping
from banzu.jobs.models import Job
from banzu.presentations.models import PresentationSheet
from banzu.publicity.models import ObjectionFile
from banzu.screening.models import ArchiveDocument


@dataclass(frozen=True)
class Stored:
    """One row's file: what the row is, the stored name, the SHA-256 it recorded ("" if none)."""

    label: str
    pk: Any
    name: str
    sha256: str

    def __str__(self) -> str:
        return f"{self.label} {self.pk} ({self.name})"


def stored_rows() -> list[Stored]:
    """Every row that keeps a file in the store."""
    sources = [
        ("document", Document.objects.values_list("pk", "stored_name", "sha256")),
        ("archive document", ArchiveDocument.objects.values_list("pk", "stored_name", "sha256")),
        (
            "paper presentation sheet",
            PresentationSheet.objects.exclude(scan_path="").values_list(
                "pk", "scan_path", "scan_sha256"
            ),
        ),
        ("objection file", ObjectionFile.objects.values_list("pk", "stored_name", "sha256")),
        # Jobs' files: built packages and certificates, uploaded archives waiting for import.
        ("job", Job.objects.exclude(stored_name="").values_list("pk", "stored_name", "sha256")),
    ]
    return [
        Stored(label, pk, name, sha256 or "")
        for label, rows in sources
        for pk, name, sha256 in rows.order_by("pk")
    ]


def sha256_of(stored: Stored) -> str:
    with filestore.path_for(stored.name).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _count(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ArgumentTypeError("must be 0 or more")
    return number


def _percent(value: str) -> float:
    number = float(value)
    if not 0 <= number <= 100:
        raise ArgumentTypeError("must be between 0 and 100")
    return number


class Command(BaseCommand):
    help = (
        "Check the private file store against the database: rows whose file is missing, files "
        "whose SHA-256 no longer matches their row, files no row points at (each fails the exit "
        "code), and temporary files a day old (removed with --clean)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sample = parser.add_mutually_exclusive_group()
        sample.add_argument(
            "--sample",
            type=_count,
            metavar="N",
            help="Hash N files chosen at random instead of all (0: check presence only).",
        )
        sample.add_argument(
            "--sample-percent",
            type=_percent,
            metavar="P",
            help="Hash P percent of the files, chosen at random, instead of all.",
        )
        parser.add_argument(
            "--clean",
            action="store_true",
            help="Remove the temporary files older than a day.",
        )
        parser.add_argument(
            "--grace-minutes",
            type=_count,
            default=10,
            help="A file without a row written this recently is reported, not counted "
            "(default: 10).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        rows = stored_rows()
        present = {row for row in rows if filestore.path_for(row.name).is_file()}
        missing = [row for row in rows if row not in present]
        hashable = [row for row in rows if row in present and row.sha256]
        chosen = self._sample(hashable, options["sample"], options["sample_percent"])
        damaged = []
        for row in chosen:
            found = sha256_of(row)
            if found != row.sha256:
                damaged.append((row, found))
        grace = dt.timedelta(minutes=options["grace_minutes"])
        orphans, in_flight = self._orphans({row.name for row in rows}, now - grace)
        temps = [
            leftover
            for leftover in housekeeping.temp_files()
            if leftover.older_than(housekeeping.MAX_AGE, now)
        ]
        removed = housekeeping.remove_old(temps, now=now) if options["clean"] else []

        for row in missing:
            self.stdout.write(f"row without file: {row}")
        for row, found in damaged:
            self.stdout.write(
                f"hash mismatch: {row}: the row says {row.sha256}, the file has {found}"
            )
        for name in orphans:
            self.stdout.write(f"file without row: {name}")
        for name in in_flight:
            self.stdout.write(f"file without row: {name} (written just now, not counted)")
        for leftover in temps:
            done = " — removed" if leftover in removed else ""
            self.stdout.write(
                f"temporary file older than a day: {leftover.path} ({leftover.size} bytes, "
                f"{leftover.modified:%Y-%m-%d %H:%M} UTC){done}"
            )
        hashed = f"{len(chosen)} of {len(hashable)} hashed"
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(rows)} file rows checked ({hashed}); {len(missing)} row(s) without a "
                f"file; {len(damaged)} hash mismatch(es); {len(temps)} temporary file(s) older "
                f"than a day ({len(removed)} removed); {len(orphans)} file(s) without a row."
            )
        )
        if missing or damaged or orphans:
            raise CommandError(
                f"The file store does not match the database: {len(missing)} row(s) without a "
                f"file, {len(damaged)} hash mismatch(es), {len(orphans)} file(s) without a row."
            )

    @staticmethod
    def _sample(rows: list[Stored], count: int | None, percent: float | None) -> list[Stored]:
        if count is None and percent is None:
            return rows
        if count is None:
            count = math.ceil(len(rows) * (percent or 0) / 100)
        if count >= len(rows):
            return rows
        chosen = set(random.sample(range(len(rows)), count))
        return [row for index, row in enumerate(rows) if index in chosen]

    @staticmethod
    def _orphans(known: set[str], settled: dt.datetime) -> tuple[list[str], list[str]]:
        """Files no row points at: (written before `settled`, written since)."""
        old: list[str] = []
        new: list[str] = []
        for name in sorted(set(filestore.stored_files()) - known):
            try:
                mtime = filestore.path_for(name).stat().st_mtime
            except (FileNotFoundError, ValueError):  # gone meanwhile, or not a stored name
                old.append(name)
                continue
            written = dt.datetime.fromtimestamp(mtime, tz=dt.UTC)
            (new if written >= settled else old).append(name)
        return old, new
