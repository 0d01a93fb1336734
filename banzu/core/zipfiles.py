"""Every ZIP the project writes goes through here, so its entries extract readable by everyone.

Python's zipfile stores a `writestr` entry as mode 0600 and a file added with `write` with the
mode it has on disk (the private file store's 0600): unzipped on a shared machine or a file
server, the province's clerks could not open what a colleague extracted. Entries made here say
they come from Unix (so unzip applies the mode) and carry 0644 for a file, 0755 for a folder.

Pure Python; no Django.
"""

from __future__ import annotations

import shutil
import stat
import time
import zipfile
from pathlib import Path
from typing import IO

FILE_MODE = 0o644
DIR_MODE = 0o755
_UNIX = 3  # the "version made by" host that tells unzip to apply the mode bits
_MSDOS_DIRECTORY = 0x10  # what Windows tools read for a folder


def writer(out: IO[bytes] | str | Path) -> zipfile.ZipFile:
    """A ZIP being written, deflated unless an entry says otherwise."""
    return zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED)


def entry(
    name: str,
    *,
    compress_type: int = zipfile.ZIP_DEFLATED,
    date_time: tuple[int, int, int, int, int, int] | None = None,
) -> zipfile.ZipInfo:
    """The header of one entry: a folder when `name` ends with "/", otherwise a file."""
    info = zipfile.ZipInfo(name, date_time=date_time or time.localtime()[:6])
    info.create_system = _UNIX
    if name.endswith("/"):
        info.compress_type = zipfile.ZIP_STORED
        info.external_attr = ((stat.S_IFDIR | DIR_MODE) << 16) | _MSDOS_DIRECTORY
    else:
        info.compress_type = compress_type
        info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
    return info


def add_folder(archive: zipfile.ZipFile, name: str) -> None:
    """A folder entry (mode 0755), so that unzip creates it readable whatever the umask."""
    archive.writestr(entry(name.rstrip("/") + "/"), b"")


def add_bytes(
    archive: zipfile.ZipFile,
    name: str,
    content: bytes | str,
    *,
    compress_type: int = zipfile.ZIP_DEFLATED,
) -> None:
    archive.writestr(entry(name, compress_type=compress_type), content)


def add_file(
    archive: zipfile.ZipFile,
    name: str,
    path: Path,
    *,
    compress_type: int = zipfile.ZIP_DEFLATED,
) -> None:
    """A file from disk, streamed, with its modification time but not its (private) mode."""
    found = path.stat()
    modified = time.localtime(found.st_mtime)[:6]
    info = entry(name, compress_type=compress_type, date_time=max(modified, (1980, 1, 1, 0, 0, 0)))
    info.file_size = found.st_size  # so that zipfile chooses ZIP64 for a file that needs it
    with path.open("rb") as source, archive.open(info, "w") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
