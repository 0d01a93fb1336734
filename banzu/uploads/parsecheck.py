"""The real parse of an upload, run in a resource-limited child process.

Parent side: run_in_child() starts ``python -m banzu.uploads.parsecheck KIND
PATH`` under RLIMIT_AS/RLIMIT_CPU and a timeout, so a parser bug or a
pathological document costs a dead child instead of a stuck or bloated web
worker.  Child side: main() opens the file with the same libraries the rest
of the project uses and exits 0 (parsed fine), 1 (parse failed) or 2 (usage),
writing only a one-line reason to stderr.

Stdlib-only at import time: the parent imports this module too, and the
child should import nothing it does not need before its limits apply.
"""

from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
import warnings
from pathlib import Path

# banzu/uploads/parsecheck.py -> project root, so "-m banzu..." resolves.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Nothing from the web process's environment (secrets, DJANGO_SETTINGS_MODULE
# ...) leaks into the parser.
_CHILD_ENV = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_STDERR_KEPT = 2000


def _child_command(kind: str, path: Path) -> list[str]:
    # -E: ignore PYTHON* variables, -s: no user site-packages, -B: never write
    # .pyc (file writes are forbidden by RLIMIT_FSIZE anyway).
    return [sys.executable, "-E", "-s", "-B", "-m", "banzu.uploads.parsecheck", kind, str(path)]


def _capped(which: int, wanted: int) -> tuple[int, int]:
    # Asking for more than the current hard limit (container, systemd) would
    # make setrlimit fail in the child, so never ask for more.
    hard = resource.getrlimit(which)[1]
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    return wanted, wanted


def run_in_child(
    kind: str, path: Path, *, timeout_s: int, memory_bytes: int, cpu_s: int
) -> str | None:
    """Parse `path` in a limited child; return None if it parsed, else why not."""
    # Computed here, in the parent, so that the code between fork and exec
    # is nothing but setrlimit calls.
    rlimits = [
        (resource.RLIMIT_AS, _capped(resource.RLIMIT_AS, memory_bytes)),
        (resource.RLIMIT_CPU, _capped(resource.RLIMIT_CPU, cpu_s)),
        (resource.RLIMIT_CORE, (0, 0)),
        (resource.RLIMIT_FSIZE, (0, 0)),
    ]

    def apply_limits() -> None:
        for which, values in rlimits:
            resource.setrlimit(which, values)

    try:
        proc = subprocess.run(  # noqa: S603 - fixed argv, no shell
            _child_command(kind, path.resolve()),
            cwd=_PROJECT_ROOT,
            env=_CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout_s,
            preexec_fn=apply_limits,
            close_fds=True,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"parse timed out after {timeout_s}s"
    if proc.returncode != 0:
        # A negative code is the signal that killed it (SIGKILL/SIGXCPU).
        stderr = proc.stderr[-_STDERR_KEPT:].decode("utf-8", "replace").strip()
        return f"parse exit {proc.returncode}: {stderr}"
    return None


# --- child side --------------------------------------------------------------


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
    from pypdf import PdfReader

    reader = PdfReader(path)
    # Encrypted PDFs cannot be inspected (nor reliably opened by reviewers),
    # so they fail rather than pass unchecked.
    if reader.is_encrypted:
        raise ValueError("encrypted PDF")
    for page in reader.pages:
        page.extract_text()


_CHECKS = {"docx": _check_docx, "pptx": _check_pptx, "pdf": _check_pdf}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in _CHECKS:
        print("usage: python -m banzu.uploads.parsecheck docx|pptx|pdf PATH", file=sys.stderr)
        return 2
    # pypdf logs a warning per oddity in a malformed file; that would only
    # fill the parent's pipe.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        _CHECKS[argv[0]](argv[1])
    except Exception as e:  # any parser failure means "reject", never a crash
        print(f"{type(e).__name__}: {str(e)[:300]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
