"""Who may check a file now: one check at a time per uploader, a few at a time per process.

A check holds a web thread for its duration (seconds at most: banzu.uploads.base.Limits). Two
limits keep one uploader from holding many threads, and the machine from running more parse
children than it has memory for:

- the uploader's lock is an advisory lock (flock) on a file named for the uploader, in a folder
  every web process shares (the file store's temporary folder). A second check by the same
  uploader, from any thread of any gunicorn process on this machine, is refused at once
  ("busy"). The kernel drops the lock when its holder closes the file or dies, so a killed
  worker blocks nobody, unlike a row in the database or a key in a cache (and the project's
  cache is per process); at most an empty lock file is left, which the next check reuses.
  The lock is one machine's: web servers on several machines would need a shared one (a row
  lock in PostgreSQL), which this deployment (deploy/) does not have.
- each process runs at most PROCESS_SLOTS parse children at a time; a check waits for a slot up
  to Limits.queue_timeout_s and is then refused ("overloaded"). With gunicorn's 2 × cores + 1
  processes this bounds the children to about 4 × cores, each under its memory limit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from banzu.uploads.base import reject

PROCESS_SLOTS = 2
_process_slots = threading.BoundedSemaphore(PROCESS_SLOTS)


@contextlib.contextmanager
def uploader_slot(lock: Path | None) -> Iterator[None]:
    """Hold the uploader's lock file for the duration, or refuse with "busy" if it is held.

    The file exists only while it is held: the holder removes it before it lets go, and a
    process that locked a file already removed tries again with the new one."""
    if lock is None:
        yield
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    for _attempt in range(5):
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(fd)
            raise reject("busy", f"{lock.name} is checking another file") from e
        try:
            current = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            # A fresh time tells a cleaner of old temporary files that this one is in use.
            os.utime(fd)
            break
        os.close(fd)
    else:  # pragma: no cover - five holders in a row let go between our open and our lock
        raise reject("busy", f"{lock.name} keeps changing hands")
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def parse_slot(timeout_s: float) -> Iterator[None]:
    """One of this process's parse slots, waiting up to `timeout_s` for it."""
    slots = _process_slots
    if not slots.acquire(timeout=timeout_s):
        raise reject("overloaded", f"no parse slot within {timeout_s}s")
    try:
        yield
    finally:
        slots.release()


def uploader_lock(folder: Path, uploader: str) -> Path:
    """The lock file of `uploader` (say "user-12") in `folder`, which every web process shares."""
    return folder / f"{uploader}.lock"
