"""What checking an upload costs: the limited child beside the in-process parse, and the slow PDF
of issue 16 before and after.

Run: .venv/bin/python bench/upload_validation.py [--quick] [--children]
1. For each kind of file, the full validate_upload (structure checks in this process, the parse
   in a limited child) and, side by side, the same checks with the parse done in this process.
   Median of N runs in milliseconds.
2. The slow PDFs, each checked once: the old child (every page's text, a 20 s CPU limit, a 30 s
   timeout, as before issue 16) against validate_upload now. The old way is run as it was, in a
   child under the same limits, so its figures are wall-clock seconds until it answered or was
   killed. --quick skips the old way (it takes about a minute).
3. Three slow PDFs from three applicants at once, and a small PDF checked meanwhile.
4. The parse child alone (parsecheck.run_in_child), fresh interpreter against forked from the
   zygote (banzu.uploads.zygote), per .docx check: wall-clock median, CPU of the parse child
   (the zygote's reaped children read from /proc) and of this process.
Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from banzu.uploads import parsecheck, slots, validation  # noqa: E402
from banzu.uploads.validation import UploadRejected  # noqa: E402
from tests.uploads import hostile, samples  # noqa: E402

RUNS = 15
LIMITS = validation.Limits(max_bytes=100 * 1024 * 1024)
CHECKS: dict[str, Callable[[str], None]] = {
    "docx": parsecheck._check_docx,
    "pptx": parsecheck._check_pptx,
    "pdf": parsecheck._check_pdf,
}
# The child as it was before issue 16: every page's text, 1 GiB, 20 s of CPU, 30 s of wall clock.
OLD_CHILD = (
    "import sys\n"
    "from banzu.uploads.parsecheck import apply_limits\n"
    "apply_limits(1024 * 1024 * 1024, 20)\n"
    "from pypdf import PdfReader\n"
    "for page in PdfReader(sys.argv[1]).pages:\n"
    "    page.extract_text()\n"
)
OLD_TIMEOUT_S = 30


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


def cpu_seconds() -> float:
    """CPU used so far by this process and its finished children (the parse children)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def old_way(path: Path) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv
            [sys.executable, "-c", OLD_CHILD, str(path)],
            cwd=ROOT,
            capture_output=True,
            timeout=OLD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return time.perf_counter() - start, "timed out"
    seconds = time.perf_counter() - start
    if proc.returncode == 0:
        return seconds, "accepted"
    if proc.returncode < 0:
        return seconds, f"killed (signal {-proc.returncode})"
    return seconds, "refused"


def new_way(path: Path, lock: Path | None = None) -> tuple[float, str]:
    start = time.perf_counter()
    try:
        validation.validate_upload(path, path.name, limits=LIMITS, uploader_lock=lock)
    except UploadRejected as rejected:
        return time.perf_counter() - start, f"refused: {rejected.code}"
    return time.perf_counter() - start, "accepted"


def real_document(path: Path) -> Path:
    """78 pages of Chinese text and tables, as WeasyPrint (the project's renderer)
    writes them with embedded CJK fonts."""
    from weasyprint import HTML

    para = "质量信得过班组建设经验交流材料，班组围绕降低不良率开展持续改进活动，取得显著成效。" * 6
    rows = "".join(f"<tr><td>{i}</td><td>工序{i}</td><td>{i:.1f}</td></tr>" for i in range(30))
    body = "".join(
        f"<h2>第{i}章</h2><p>{para}</p><p>{para}</p><table>{rows}</table>" for i in range(60)
    )
    HTML(string=f"<html><body>{body}</body></html>").write_pdf(str(path))
    return path


def kinds_table(folder: Path) -> None:
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


def slow_table(folder: Path, *, quick: bool) -> None:
    files = {
        "issue 16: 200 pages, 1 stream, 700k tokens": hostile.slow_pdf(folder / "slow.pdf"),
        "2 pages, one 700k-token stream": hostile.slow_pdf(folder / "slow2.pdf", pages=2),
        "200 pages, one 140k-token stream": hostile.slow_pdf(folder / "light.pdf", reps=10_000),
        "20 pages, each its own 280k tokens": hostile.slow_pdf(
            folder / "distinct.pdf", pages=20, reps=20_000, distinct=True
        ),
        "a real 78-page document (WeasyPrint)": real_document(folder / "real.pdf"),
    }
    print()
    print("each checked once; wall-clock seconds (CPU seconds) until the answer")
    print(f"{'slow PDF':<44}{'size':>7}  {'before':>12} {'':<12}{'now':>10} outcome")
    for label, path in files.items():
        before = "-", "(--quick)"
        if not quick:
            cpu = cpu_seconds()
            wall, outcome = old_way(path)
            before = f"{wall:.1f} ({cpu_seconds() - cpu:.1f})", outcome
        cpu = cpu_seconds()
        wall, outcome = new_way(path)
        now = f"{wall:.1f} ({cpu_seconds() - cpu:.1f})"
        size = f"{path.stat().st_size / 1024:.0f} KB"
        print(f"{label:<44}{size:>7}  {before[0]:>12} {before[1]:<12}{now:>10} {outcome}")


def at_once(folder: Path) -> None:
    slow = hostile.slow_pdf(folder / "slow.pdf")
    small = samples.make_pdf(folder / "small.pdf")
    locks = [slots.uploader_lock(folder, f"user-{n}") for n in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        start = time.perf_counter()
        futures = [pool.submit(new_way, slow, locks[n]) for n in range(3)]
        meanwhile = pool.submit(new_way, small, locks[3])
        small_s, small_outcome = meanwhile.result()
        outcomes = [future.result() for future in futures]
        total = time.perf_counter() - start
    print()
    print(
        f"three slow PDFs at once: all answered in {total:.2f} s "
        f"({', '.join(outcome for _s, outcome in outcomes)}); a small PDF meanwhile: "
        f"{small_s:.2f} s ({small_outcome})"
    )
    # The same applicant twice at once: the second is refused at once.
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(new_way, slow, locks[0])
        time.sleep(0.05)
        second_s, second_outcome = new_way(slow, locks[0])
        first.result()
    print(f"one applicant's second check while the first runs: {second_s:.3f} s ({second_outcome})")


def zygote_cpu_seconds() -> float:
    """CPU of this process's zygote and its reaped children (utime, stime, cutime, cstime)."""
    from banzu.uploads import zygote

    current = zygote._zygote
    if current is None:
        return 0.0
    fields = Path(f"/proc/{current.process.pid}/stat").read_text().rpartition(")")[2].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def children_table(folder: Path) -> None:
    path = samples.make_docx(folder / "child.docx", "质量信得过班组 " * 2000)
    runs = RUNS * 4
    print()
    print(f"the parse child alone, one .docx ({path.stat().st_size / 1024:.0f} KB), {runs} checks")
    print(f"{'child':<8}{'wall median (ms)':>18}{'child CPU (ms)':>16}{'own CPU (ms)':>14}")
    for child in ("fresh", "zygote"):
        limits = {"timeout_s": 15, "memory_bytes": LIMITS.parse_memory_bytes, "cpu_s": 4}
        # The zygote's start (about 0.2 s of CPU once per web process) is left out.
        assert parsecheck.run_in_child("docx", path, child=child, **limits) is None
        time.sleep(0.3)
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        zygote_before = zygote_cpu_seconds()
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            assert parsecheck.run_in_child("docx", path, child=child, **limits) is None
            times.append((time.perf_counter() - start) * 1000)
        time.sleep(0.3)  # the zygote reaps its last child
        own_after = resource.getrusage(resource.RUSAGE_SELF)
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        own_s = own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime
        child_s = (
            children_after.ru_utime
            + children_after.ru_stime
            - children.ru_utime
            - children.ru_stime
            + zygote_cpu_seconds()
            - zygote_before
        )
        print(
            f"{child:<8}{statistics.median(times):>18.1f}{child_s / runs * 1000:>16.1f}"
            f"{own_s / runs * 1000:>14.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="skip the old way's slow runs")
    parser.add_argument(
        "--children", action="store_true", help="only table 4: the fresh child against the zygote"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.children:
            children_table(folder)
            return
        kinds_table(folder)
        slow_table(folder, quick=args.quick)
        at_once(folder)
        children_table(folder)
    print(
        f"\nlimits now: {LIMITS.parse_cpu_s} s CPU, {LIMITS.parse_timeout_s} s wall clock, "
        f"{slots.PROCESS_SLOTS} parse children per process, one check per applicant"
    )


if __name__ == "__main__":
    main()
