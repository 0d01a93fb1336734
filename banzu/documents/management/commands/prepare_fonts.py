"""Prepare the reduced CJK fonts the PDFs embed (once per machine; `make run` calls it): the
GB 2312 subsets of Noto Serif SC and Noto Sans SC, and the rare-character faces fetched from the
npm registry for names with ideographs beyond the Simplified Chinese fonts (such as 𠮷)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from banzu.documents import fonts
from banzu.documents.render import font_set


class Command(BaseCommand):
    help = (
        "Prepare the reduced CJK fonts for the generated PDFs (about 35 s the first time, "
        "fetching the rare-character faces with npm)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            fonts.prepare_rare(settings.DOCUMENT_FONT_DIR)
        except fonts.RareFontsUnavailable as error:
            # The PDFs still carry every character of GB 18030-2022 level 2; only rarer
            # ideographs (Extension B and later, outside the 通用规范汉字表) would print as boxes.
            self.stderr.write(f"Rare-character fonts not prepared ({error}); run this again.")
        prepared = font_set()
        paths = [prepared.serif, prepared.sans, *(path for _, path in prepared.rare)]
        for path in paths:
            size = path.stat().st_size / 1_000_000
            self.stdout.write(f"{path} ({size:.1f} MB)")
        self.stdout.write(f"Fonts ready in {time.perf_counter() - started:.1f} s.")
