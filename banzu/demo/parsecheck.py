"""The demo's uploads, checked once per distinct file.

The demo uploads the same presentation and signed-form scan (banzu.demo.builder.DemoFiles) about
a hundred times each, beside each application's own materials; each upload's parse check is a
child process. Bytes that parsed once parse again, so within the demo the answer is reused (as
tests/conftest.py does for the suite): the first upload of each file, and anything else, still
goes to the child, and every other check of an upload runs as always.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path

from banzu.uploads import validation


@contextlib.contextmanager
def parse_checks_reused() -> Iterator[None]:
    real = validation.parse_check
    parsed: set[tuple[validation.FileKind, str, validation.Limits]] = set()

    def parse_check(kind: validation.FileKind, path: Path, limits: validation.Limits) -> str | None:
        key = (kind, hashlib.sha256(path.read_bytes()).hexdigest(), limits)
        if key in parsed:
            return None
        failure = real(kind, path, limits)
        if failure is None:
            parsed.add(key)
        return failure

    validation.parse_check = parse_check
    try:
        yield
    finally:
        validation.parse_check = real
