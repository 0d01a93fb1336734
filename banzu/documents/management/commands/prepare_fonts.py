"""Prepare the reduced CJK fonts the PDFs embed (once per machine; `make run` calls it)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from banzu.documents.render import font_set


class Command(BaseCommand):
    help = "Prepare the reduced CJK fonts for the generated PDFs (about 25 s the first time)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        fonts = font_set()
        for path in (fonts.serif, fonts.sans):
            size = path.stat().st_size / 1_000_000
            self.stdout.write(f"{path} ({size:.1f} MB)")
        self.stdout.write(f"Fonts ready in {time.perf_counter() - started:.1f} s.")
