"""Upload validation for applicants' documents (OWASP file upload cheat sheet).

Pure Python on purpose: no Django import, so it can be unit-tested and reused
from management commands.  The cheap structural checks run in this process
and never decompress more than the archive declares (banzu.uploads.ooxml); the
real parse (the riskiest step, done by third-party parsers), and for a PDF the
walk for scripts, embedded files and decompression bombs, runs in a
resource-limited child (banzu.uploads.parsecheck).  One uploader checks one
file at a time and each process runs a few children at most
(banzu.uploads.slots).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from banzu.uploads import slots
from banzu.uploads.base import REJECTION_MESSAGES, Limits, UploadRejected, reject
from banzu.uploads.ooxml import (
    DOCX_MAIN,
    PPTX_MAIN,
    check_package_file,
)
from banzu.uploads.parsecheck import run_in_child

__all__ = [
    "REJECTION_MESSAGES",
    "FileKind",
    "Limits",
    "UploadRejected",
    "ValidatedFile",
    "failure_code",
    "kind_for_name",
    "parse_check",
    "safe_display_name",
    "validate_upload",
]


class FileKind(StrEnum):
    DOCX = "docx"
    PPTX = "pptx"
    PDF = "pdf"


@dataclass(frozen=True)
class ValidatedFile:
    kind: FileKind
    size: int
    sha256: str
    safe_name: str


_reject = reject
_MAIN_TYPES = {FileKind.DOCX: {DOCX_MAIN}, FileKind.PPTX: {PPTX_MAIN}}


_EXTENSIONS = {"docx": FileKind.DOCX, "pptx": FileKind.PPTX, "pdf": FileKind.PDF}


def _base_name(name: str) -> str:
    # Browsers (old IE) and crafted requests may send full client paths in
    # either convention, whatever the server's OS is.
    return re.split(r"[/\\]", name)[-1]


def kind_for_name(original_name: str) -> FileKind:
    base = _base_name(original_name)
    _, dot, ext = base.rpartition(".")
    kind = _EXTENSIONS.get(ext.lower()) if dot else None
    if kind is None:
        raise _reject("extension", f"extension of {original_name!r}")
    return kind


_MAX_NAME = 200
# Cc: control chars, Cf: bidi overrides (U+202E spoofs "gpj.exe"), Cs: lone
# surrogates from surrogateescape, Zl/Zp: line breaks that split headers.
_DROP_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def safe_display_name(original_name: str) -> str:
    base = _base_name(unicodedata.normalize("NFC", original_name))
    base = re.sub(r"^[A-Za-z]:", "", base)  # drive-relative "C:report.pdf"
    base = "".join(c for c in base if unicodedata.category(c) not in _DROP_CATEGORIES)
    # Characters with meaning in headers or Windows file names.
    base = re.sub(r'[<>:"|?*]', "_", base)
    base = re.sub(r"\s+", " ", base).strip()
    base = base.lstrip(". ").rstrip(". ")
    if len(base) > _MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        if dot and 0 < len(ext) <= 16:
            base = stem[: _MAX_NAME - len(ext) - 1].rstrip(". ") + "." + ext
        else:
            base = base[:_MAX_NAME]
    return base or "upload"


def validate_upload(
    path: Path,
    original_name: str,
    *,
    expected: set[FileKind] | None = None,
    limits: Limits,
    uploader_lock: Path | None = None,
) -> ValidatedFile:
    """Check the upload at `path`; raise UploadRejected with a stable code, or describe it.

    `uploader_lock` names the uploader's lock file (banzu.uploads.slots): while one check of
    theirs runs, another is refused with "busy"."""
    size = path.stat().st_size
    if size == 0:
        raise _reject("empty")
    if size > limits.max_bytes:
        raise _reject("too_large", f"{size} > {limits.max_bytes}")
    kind = kind_for_name(original_name)
    if expected is not None and kind not in expected:
        raise _reject("extension", f"{kind} not in {sorted(expected)}")
    if "\x00" in original_name:
        raise _reject("name", "NUL in original name")
    with slots.uploader_slot(uploader_lock):
        _check_magic(path, kind)
        if kind in _MAIN_TYPES:
            check_package_file(path, _MAIN_TYPES[kind], limits)
        with slots.parse_slot(limits.queue_timeout_s):
            failure = parse_check(kind, path, limits)
        if failure is not None:
            raise _reject(failure_code(failure), failure)
    return ValidatedFile(
        kind=kind,
        size=size,
        sha256=_sha256(path),
        safe_name=safe_display_name(original_name),
    )


def parse_check(kind: FileKind, path: Path, limits: Limits) -> str | None:
    """Parse `path` with the real parsers in a limited child: None if it parsed, else why not,
    as "code: detail" (failure_code reads the code).

    validate_upload's one way to the child. The test suite wraps it to reuse the answer for bytes
    it has already parsed (tests/conftest.py); the tests of this path call it for real.
    """
    return run_in_child(
        kind.value,
        path,
        timeout_s=limits.parse_timeout_s,
        memory_bytes=limits.parse_memory_bytes,
        cpu_s=limits.parse_cpu_s,
    )


def failure_code(failure: str) -> str:
    """The rejection code a parse failure starts with; "parse" for anything else."""
    code = failure.partition(":")[0].strip()
    return code if code in REJECTION_MESSAGES else "parse"


def _check_magic(path: Path, kind: FileKind) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    magic = b"%PDF-" if kind is FileKind.PDF else b"PK\x03\x04"
    if not head.startswith(magic):
        raise _reject("magic", f"{kind} starting with {head!r}")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()
