"""What the resource-limited child process costs per upload, beside the in-process alternative.

Run: .venv/bin/python bench/upload_validation.py
For each kind of file it times the full validate_upload (structure checks in this process, the
parse in a limited child) and, side by side, the same structure checks with the parse done in
this process (what we would do without the child). Prints the median of N runs in milliseconds.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from banzu.uploads import parsecheck, validation  # noqa: E402
from tests.uploads import samples  # noqa: E402

RUNS = 15
LIMITS = validation.Limits(max_bytes=100 * 1024 * 1024)
CHECKS = {
    "docx": parsecheck._check_docx,
    "pptx": parsecheck._check_pptx,
    "pdf": parsecheck._check_pdf,
}


def in_process(kind: str, path: Path, **_: object) -> str | None:
    try:
        CHECKS[kind](str(path))
    except Exception as error:
        return str(error)
    return None


def median_ms(path: Path, name: str) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        validation.validate_upload(path, name, limits=LIMITS)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {
            "docx": samples.make_docx(folder / "a.docx", "质量信得过班组 " * 2000),
            "pptx": samples.make_pptx(folder / "a.pptx"),
            "pdf": samples.make_pdf(folder / "a.pdf", pages=50),
        }
        print(f"{'kind':<6}{'size':>10}{'child (ms)':>14}{'in-process (ms)':>18}{'overhead':>10}")
        for kind, path in files.items():
            child = median_ms(path, path.name)
            with mock.patch.object(validation, "run_in_child", in_process):
                inline = median_ms(path, path.name)
            size = f"{path.stat().st_size / 1024:.0f} KB"
            print(f"{kind:<6}{size:>10}{child:>14.1f}{inline:>18.1f}{child / inline:>9.1f}x")


if __name__ == "__main__":
    main()
