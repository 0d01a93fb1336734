"""A job's file in the private store: written to a temporary name, fsynced, hashed and renamed
into the store (banzu.core.filestore), so a job never points at a partial file."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from banzu.core import filestore


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    size: int
    sha256: str
    original_name: str = ""

    @property
    def path(self) -> Path:
        return filestore.path_for(self.stored_name)


def store_written(write: Callable[[IO[bytes]], Any], *, original_name: str = "") -> StoredFile:
    """Let `write` fill a seekable temporary file, then move it into the store."""
    temp = filestore.write_temp(())
    try:
        with temp.open("r+b") as out:
            write(out)
            out.flush()
            os.fsync(out.fileno())
        return _commit(temp, original_name)
    finally:
        filestore.discard(temp)


def store_chunks(chunks: Iterable[bytes], *, original_name: str = "") -> StoredFile:
    temp = filestore.write_temp(chunks)
    try:
        return _commit(temp, original_name)
    finally:
        filestore.discard(temp)


def _commit(temp: Path, original_name: str) -> StoredFile:
    size, digest = temp.stat().st_size, sha256_of(temp)
    return StoredFile(filestore.commit_temp(temp), size, digest, original_name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def discard(stored: StoredFile | None) -> None:
    if stored is not None:
        filestore.discard(stored.path)
