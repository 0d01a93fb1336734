"""What the side-by-side similarity view costs on two 60-page documents.

Run: .venv/bin/python bench/side_by_side.py
Builds, in a throw-away SQLite database (as bench/documents.py does), an application and a
source application of about 60,000 characters each sharing 40 copied passages, with common
text on both sides, then prints the median of 5 requests of the view through the Django test
client, the segment building alone, and in the same run two alternatives on the same texts:
a naive template loop over every character, and difflib.HtmlDiff over the lines.
"""

from __future__ import annotations

import difflib
import importlib
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

RUNS = 5

CHARS = 60_000
PASSAGES = 40
COMMON_SPANS = 30
LINE = 90  # characters between line breaks, about a paragraph line of a Word page
ALPHABET = "班组质量安全钢筋混凝土模板施工管理检查验收合格率技能培训创新改进成果工程项目部"
PUNCTUATION = "，。；、"


def document(rng: random.Random) -> str:
    out = []
    for position in range(CHARS):
        if position % LINE == LINE - 1:
            out.append("\n")
        elif rng.random() < 0.06:
            out.append(rng.choice(PUNCTUATION))
        else:
            out.append(rng.choice(ALPHABET))
    return "".join(out)


def build_texts() -> tuple[str, str, list[list[int]], list[list[int]], list[list[int]]]:
    """Two documents, 40 passages of 150-400 characters of the source copied into the
    application (same length, so offsets hold), and common spans on both sides, some of
    them overlapping a passage."""
    rng = random.Random(7)
    source = document(rng)
    left = list(document(rng))
    passages = []
    slot = CHARS // PASSAGES
    for index in range(PASSAGES):
        length = rng.randint(150, 400)
        start = index * slot + rng.randint(0, slot - length - 1)
        source_start = rng.randint(0, CHARS - length - 1)
        left[start : start + length] = source[source_start : source_start + length]
        passages.append([start, start + length, source_start, source_start + length])
    text = "".join(left)
    spans = CHARS // COMMON_SPANS
    left_common = [[i * spans + 100, i * spans + 180] for i in range(COMMON_SPANS)]
    right_common = [[i * spans + 40, i * spans + 120] for i in range(COMMON_SPANS)]
    return text, source, passages, left_common, right_common


def median_s(action: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def setup_django(folder: Path) -> None:
    """A throw-away SQLite database, as in bench/documents.py (never the developer's)."""
    os.environ["SQLITE_PATH"] = str(folder / "bench.sqlite3")
    os.environ["BANZU_FILES_DIR"] = str(folder / "files")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["DEBUG"] = "0"
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


NAIVE = (
    '{% for c in chars %}{% if c.kind == "copied" %}<mark class="sbs-copied">{{ c.ch }}</mark>'
    '{% elif c.kind == "common" %}<span class="sbs-common">{{ c.ch }}</span>'
    "{% else %}{{ c.ch }}{% endif %}{% endfor %}"
)


def naive_chars(text: str, copied: list[list[int]], common: list[list[int]]) -> list[dict]:
    """A kind per character, marked span by span (as a first attempt would)."""
    kinds = ["plain"] * len(text)
    for start, end in common:
        kinds[start:end] = ["common"] * (end - start)
    for start, end in copied:
        kinds[start:end] = ["copied"] * (end - start)
    return [{"ch": ch, "kind": kind} for ch, kind in zip(text, kinds, strict=True)]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="banzu-bench-") as tmp:
        setup_django(Path(tmp))

        from django.template import Context, Template
        from django.test import Client
        from django.urls import reverse

        from banzu.accounts.enums import Role
        from banzu.screening.highlight import side_by_side
        from banzu.screening.models import SimilarityReport

        # Imported by name: tests/ is not type-checked (factory_boy is untyped).
        factories: Any = importlib.import_module("tests.factories")

        text, source_text, passages, left_common, right_common = build_texts()
        admin = factories.UserFactory(username="bench_admin", role=Role.ADMIN)
        mine = factories.ApplicationFactory(recommendation_number="HZ-001")
        other = factories.ApplicationFactory(recommendation_number="HZ-002")
        SimilarityReport.objects.create(
            application=other, text=source_text, common_spans=right_common
        )
        copied = sum(p[1] - p[0] for p in passages)
        SimilarityReport.objects.create(
            application=mine,
            text=text,
            chars=len(text),
            copied_chars=copied,
            common_spans=left_common,
            sources=[
                {
                    "kind": "application",
                    "pk": other.pk,
                    "label": "钢筋乙班 · 2026",
                    "same_owner": False,
                    "copied_chars": copied,
                    "ratio": copied / len(text),
                    "passages": passages,
                }
            ],
        )
        client = Client()
        client.force_login(admin)
        url = reverse("screening:side_by_side", args=[mine.pk, "application", other.pk])

        def view() -> Any:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        size = len(view().content)
        columns = side_by_side(text, source_text, passages, left_common, right_common)
        print(
            f"documents: {len(text):,} and {len(source_text):,} characters, "
            f"{PASSAGES} passages ({copied:,} copied characters), "
            f"{COMMON_SPANS} common spans a side"
        )
        print(f"segments: {len(columns.left)} left, {len(columns.right)} right; page {size:,} B")
        print()
        print(f"median of {RUNS} runs{'':<38}time (ms)")
        rows: list[tuple[str, float]] = []
        rows.append(("side-by-side view, full request (test client)", median_s(view)))
        rows.append(
            (
                "  of which highlight.side_by_side (segments)",
                median_s(
                    lambda: side_by_side(text, source_text, passages, left_common, right_common)
                ),
            )
        )

        naive = Template(NAIVE)
        left_chars = naive_chars(text, [p[:2] for p in passages], left_common)
        right_chars = naive_chars(source_text, [p[2:] for p in passages], right_common)

        def per_character() -> None:
            naive.render(Context({"chars": left_chars}))
            naive.render(Context({"chars": right_chars}))

        rows.append(("alternative: per-character template loop", median_s(per_character)))
        for label, seconds in rows:
            print(f"{label:<58}{seconds * 1000:>9.1f}")

        # HtmlDiff aligns lines, not passages copied from anywhere; one run, it is slow.
        start = time.perf_counter()
        table = difflib.HtmlDiff().make_table(text.splitlines(), source_text.splitlines())
        seconds = time.perf_counter() - start
        label = "alternative: difflib.HtmlDiff.make_table (1 run)"
        print(f"{label:<58}{seconds * 1000:>9.1f}  ({len(table):,} B)")


if __name__ == "__main__":
    main()
