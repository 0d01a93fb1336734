"""Private file store: generated names, written to a temporary name, fsynced, then renamed.

A database row is only ever created after its file is complete on disk, so no row points at a
partial file. `orphans()` lists the disagreements the other way round for the checker command.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.conf import settings

logger = logging.getLogger(__name__)

# Files up to this size are hashed each time they are served (about 0.1 s for 50 MB); larger ones
# are left to `manage.py check_files`.
VERIFY_ON_SERVE_BYTES = 64 * 1024 * 1024


class DamagedFile(Exception):
    """A stored file whose content no longer has the SHA-256 its row recorded."""


def root() -> Path:
    return Path(settings.PRIVATE_FILES_ROOT)


def temp_dir() -> Path:
    path = root() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_for(stored_name: str) -> Path:
    # Stored names are generated hex, so they can never climb out of the store.
    if not stored_name.isalnum():
        raise ValueError("bad stored name")
    return root() / stored_name[:2] / stored_name


def write_temp(chunks: Iterable[bytes]) -> Path:
    fd, name = _mkstemp()
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:  # a refused or broken source leaves no .part behind
        discard(Path(name))
        raise
    return Path(name)


def _mkstemp() -> tuple[int, str]:
    name = str(temp_dir() / f"{uuid.uuid4().hex}.part")
    return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), name


def commit_temp(temp: Path) -> str:
    """Move a complete temporary file into the store under a new generated name."""
    stored_name = uuid.uuid4().hex
    final = path_for(stored_name)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.replace(temp, final)
    _fsync_dir(final.parent)
    return stored_name


def verified_path(stored_name: str, sha256: str) -> Path:
    """The stored file's path, to serve, once its content still has the `sha256` its row
    recorded (files up to VERIFY_ON_SERVE_BYTES). A damaged file is logged as an error and
    refused with DamagedFile, never sent as if it were what was uploaded."""
    path = path_for(stored_name)
    if sha256 and path.stat().st_size <= VERIFY_ON_SERVE_BYTES:
        with path.open("rb") as handle:
            found = hashlib.file_digest(handle, "sha256").hexdigest()
        if found != sha256:
            logger.error(
                "stored file %s is damaged: its row says SHA-256 %s, the file has %s",
                stored_name,
                sha256,
                found,
            )
            raise DamagedFile(stored_name)
    return path


def discard(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stored_files() -> Iterator[str]:
    base = root()
    if not base.exists():
        return
    for shard in base.iterdir():
        if shard.is_dir() and shard.name != "tmp":
            for item in shard.iterdir():
                yield item.name
