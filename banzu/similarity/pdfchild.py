"""The text of a PDF, page by page, read in a resource-limited child process.

    python -E -s -B -m banzu.similarity.pdfchild MEMORY_MB CPU_S PATH

The parent (banzu.similarity.extract) starts this with a clean environment and a wall-clock
timeout. The child limits its own address space and CPU time first thing, before it imports
pypdf or opens the file: setting limits here rather than in a preexec_fn keeps the parent safe to
call from threads (preexec_fn may deadlock a threaded parent). It writes {"pages": [str, ...]}
as JSON on stdout and exits 0, or a one-line reason on stderr and exits 1 (2 for bad usage).
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import warnings

# A PDF whose text is larger than this is hostile or not a document: refuse it rather than
# pipe hundreds of megabytes back to the parent.
MAX_CHARS = 20_000_000


def _limit(which: int, wanted: int) -> None:
    # Asking for more than the hard limit (container, systemd) would fail.
    hard = resource.getrlimit(which)[1]
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(which, (wanted, wanted))


def _clean(text: str) -> str:
    # pypdf can produce lone surrogates from a broken ToUnicode map; they cannot be encoded.
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def read_pages(path: str) -> list[str]:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ValueError("the PDF is encrypted")
    pages: list[str] = []
    total = 0
    for page in reader.pages:
        text = _clean(page.extract_text())
        total += len(text)
        if total > MAX_CHARS:
            raise ValueError(f"more than {MAX_CHARS} characters of text")
        pages.append(text)
    return pages


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not argv[0].isdigit() or not argv[1].isdigit():
        print("usage: python -m banzu.similarity.pdfchild MEMORY_MB CPU_S PATH", file=sys.stderr)
        return 2
    _limit(resource.RLIMIT_AS, int(argv[0]) * 1024 * 1024)
    _limit(resource.RLIMIT_CPU, int(argv[1]))
    _limit(resource.RLIMIT_CORE, 0)
    _limit(resource.RLIMIT_FSIZE, 0)  # the reader writes no files; stdout is a pipe
    # pypdf logs or warns about every oddity of a malformed file; that would only fill stderr.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    try:
        pages = read_pages(argv[2])
    except MemoryError:
        print(f"it needs more than {argv[0]} MB of memory", file=sys.stderr)
        return 1
    except Exception as e:  # any failure of the parser is the file's fault, never a crash
        reason = " ".join(str(e).split())[:200] or type(e).__name__
        print(reason, file=sys.stderr)
        return 1
    sys.stdout.write(json.dumps({"pages": pages}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
