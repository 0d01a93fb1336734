"""Recompute every sealed results version from the sheets it recorded.

    manage.py verify_results [--edition YEAR] [--version N]

Each version's payload is hashed again, every figure (totals, ranks, tiers, room awards, the
non-presenters' award, the stability marks) is recomputed from the sheets it recorded, and those
sheets are compared with the database (state, total, item points, version) —
banzu.results.versions.verify. Prints OK per version with its SHA-256; any difference fails the
command, naming the first one of each failing version.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion
from banzu.results.versions import verify


class Command(BaseCommand):
    help = "Recompute every sealed results version and compare it with the recorded sheets."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # `--version N` names a results version here: it replaces Django's --version (which
        # prints Django's own), as the command line has it.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--edition", type=int, help="only this edition (its year)")
        parser.add_argument("--version", type=int, help="only this version number")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = ResultsVersion.objects.filter(state=VersionState.SEALED).select_related(
            "edition"
        )
        if options.get("edition") is not None:
            versions = versions.filter(edition__year=options["edition"])
        if options.get("version") is not None:
            versions = versions.filter(number=options["version"])
        failures = []
        checked = 0
        for version in versions.order_by("edition__year", "number"):
            label = f"{version.edition.year} v{version.number}"
            difference = verify(version)
            if difference is not None:
                failures.append(f"{label}: {difference}")
                self.stderr.write(f"FAIL {label}: {difference}")
                continue
            checked += 1
            self.stdout.write(f"OK {label} sha256 {version.sha256}")
        if failures:
            raise CommandError(
                f"{len(failures)} of {len(failures) + checked} results versions do not "
                "reproduce:\n" + "\n".join(failures)
            )
        if not checked:
            if options.get("edition") is not None or options.get("version") is not None:
                raise CommandError("No sealed results version matches.")
            self.stdout.write("No sealed results version.")
