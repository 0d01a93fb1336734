"""The real parse of an upload, run in a resource-limited child process.

Parent side: run_in_child() runs the parse in a child with a clean environment and a wall-clock
timeout, so a parser bug or a pathological document costs a dead child instead of a stuck or
bloated web worker. The child is either forked from this process's zygote (banzu.uploads.zygote:
an interpreter started like the fresh child that imported the parsers once; about 20 ms of CPU a
check instead of about 130) or, for "fresh" and whenever the zygote cannot take the check, a new
interpreter: ``python -m banzu.uploads.parsecheck MEMORY CPU KIND PATH``. Which one: the
environment variable BANZU_PARSE_CHILD ("zygote" or "fresh"), read once at import; unset, the
zygote, except under the test runner (pytest), whose tests ask for it.

Child side: main() first limits its own address space, CPU time, core and file sizes (here
rather than in a preexec_fn, which may deadlock a threaded parent such as a gthread worker; the
zygote's child calls the same apply_limits and _outcome), then opens the file with the same
libraries the rest of the project uses and exits 0 (accepted) or 1, writing one line
"code: detail" to stderr, where code is a rejection code of banzu.uploads.base.

Stdlib-only at import time: the parent imports this module too, and the child should import
nothing it does not need before its limits apply.
"""

from __future__ import annotations

import logging
import os
import resource
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

# banzu/uploads/parsecheck.py -> project root, so "-m banzu..." resolves.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Nothing from the web process's environment (secrets, DJANGO_SETTINGS_MODULE
# ...) leaks into the parser.
_CHILD_ENV = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_STDERR_KEPT = 2000
# What the kernel sends at RLIMIT_CPU: SIGXCPU at the soft limit, SIGKILL at the hard one.
_CPU_SIGNALS = {-signal.SIGXCPU, -signal.SIGKILL}
PARSE_CHILD_MODES = ("zygote", "fresh")


def _parse_child_from_env() -> str:
    wanted = os.environ.get("BANZU_PARSE_CHILD", "")
    if not wanted:
        # Not under the test runner unless asked: its tests replace the fresh child's command.
        return "fresh" if "PYTEST_VERSION" in os.environ else "zygote"
    if wanted not in PARSE_CHILD_MODES:
        raise ValueError(f"BANZU_PARSE_CHILD={wanted!r}: expected one of {PARSE_CHILD_MODES}")
    return wanted


# "zygote" or "fresh": how run_in_child starts the child unless its caller says.
PARSE_CHILD = _parse_child_from_env()


def _child_command(kind: str, path: Path, memory_bytes: int, cpu_s: int) -> list[str]:
    # -E: ignore PYTHON* variables, -s: no user site-packages, -B: never write
    # .pyc (file writes are forbidden by RLIMIT_FSIZE anyway).
    return [
        sys.executable,
        "-E",
        "-s",
        "-B",
        "-m",
        "banzu.uploads.parsecheck",
        str(memory_bytes),
        str(cpu_s),
        kind,
        str(path),
    ]


def run_in_child(
    kind: str,
    path: Path,
    *,
    timeout_s: int,
    memory_bytes: int,
    cpu_s: int,
    child: str | None = None,
) -> str | None:
    """Parse `path` in a limited child; None if it parsed, else "code: why not".

    `child`: "zygote" or "fresh", PARSE_CHILD if None. A check the zygote cannot take (it died,
    or could not start) runs in a fresh child: an upload never fails because of the zygote.
    """
    mode = PARSE_CHILD if child is None else child
    if mode not in PARSE_CHILD_MODES:
        raise ValueError(f"child={mode!r}: expected one of {PARSE_CHILD_MODES}")
    if mode == "zygote":
        from banzu.uploads import zygote

        started = time.monotonic()
        try:
            return zygote.run_in_child(
                kind, path.resolve(), timeout_s=timeout_s, memory_bytes=memory_bytes, cpu_s=cpu_s
            )
        except zygote.ZygoteUnavailable:
            timeout_s = max(1, timeout_s - int(time.monotonic() - started))
    return _run_fresh(kind, path, timeout_s=timeout_s, memory_bytes=memory_bytes, cpu_s=cpu_s)


def _run_fresh(
    kind: str, path: Path, *, timeout_s: int, memory_bytes: int, cpu_s: int
) -> str | None:
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            _child_command(kind, path.resolve(), memory_bytes, cpu_s),
            cwd=_PROJECT_ROOT,
            env=_CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout_s,
            close_fds=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        # The CPU limit is far below the timeout: a child still running at the timeout did
        # not get the CPU it may use, so the machine is too busy, not the file too complex.
        return f"overloaded: no answer within {timeout_s}s"
    stderr = proc.stderr[-_STDERR_KEPT:].decode("utf-8", "replace").strip()
    if proc.returncode in _CPU_SIGNALS:
        return f"too_complex: stopped at the CPU limit of {cpu_s}s (signal {-proc.returncode})"
    if proc.returncode < 0:
        return f"parse: killed by signal {-proc.returncode}"
    if proc.returncode == 1 and stderr:
        return stderr.splitlines()[-1]
    if proc.returncode != 0:
        return f"parse: exit {proc.returncode}: {stderr}"
    return None


# --- child side --------------------------------------------------------------


def apply_limits(memory_bytes: int, cpu_s: int) -> None:
    for which, wanted in (
        (resource.RLIMIT_AS, memory_bytes),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_CORE, 0),
        (resource.RLIMIT_FSIZE, 0),
    ):
        # Asking for more than the current hard limit (container, systemd) would fail.
        hard = resource.getrlimit(which)[1]
        if hard != resource.RLIM_INFINITY:
            wanted = min(wanted, hard)
        resource.setrlimit(which, (wanted, wanted))


def _check_docx(path: str) -> None:
    from docx import Document

    document = Document(path)
    for paragraph in document.paragraphs:
        _ = paragraph.text


def _check_pptx(path: str) -> None:
    from pptx import Presentation

    presentation = Presentation(path)
    for slide in presentation.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                _ = shape.text_frame.text


def _check_pdf(path: str) -> None:
    from banzu.uploads.pdfcheck import check_pdf

    check_pdf(path)


_CHECKS = {"docx": _check_docx, "pptx": _check_pptx, "pdf": _check_pdf}


def _outcome(kind: str, path: str) -> str | None:
    from banzu.uploads.base import Refused

    try:
        _CHECKS[kind](path)
    except Refused as refused:  # the one class, wherever this module runs as __main__
        return f"{refused.code}: {str(refused)[:300]}"
    except (MemoryError, RecursionError) as e:
        return f"too_complex: {type(e).__name__}"
    except Exception as e:  # any parser failure means "reject", never a crash
        # pypdf's LimitReachedError: one of its resource bounds (tokens of a content stream,
        # forms drawn per page, entries of the page tree ...) was reached.
        code = "too_complex" if type(e).__name__ == "LimitReachedError" else "parse"
        detail = " ".join(str(e).split())[:300]
        return f"{code}: {type(e).__name__}: {detail}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 4 or not argv[0].isdigit() or not argv[1].isdigit() or argv[2] not in _CHECKS:
        print(
            "usage: python -m banzu.uploads.parsecheck MEMORY_BYTES CPU_S docx|pptx|pdf PATH",
            file=sys.stderr,
        )
        return 2
    apply_limits(int(argv[0]), int(argv[1]))
    # pypdf logs a warning per oddity in a malformed file; that would only
    # fill the parent's pipe.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    failure = _outcome(argv[2], argv[3])
    if failure is not None:
        print(failure.replace("\n", " "), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
