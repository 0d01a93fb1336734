"""Diagnostic for the deadline burst (bench/deadline_burst.py --parse fork), not production code:
the upload's parse child forked from a process that imported the parsers once, instead of a fresh
interpreter started for every check (banzu.uploads.parsecheck.run_in_child).

A fresh interpreter costs about 120 ms of CPU per .docx (interpreter start, importing lxml and
python-docx) to parse for 10 ms; a fork of a preloaded process about 20 ms. This module measures
what that difference does to the burst, with everything else as in production: the same child
limits (parsecheck.apply_limits), the same parse and answers (parsecheck._outcome), the same
timeout, the same slots around it.

- `serve(fd)` is the zygote: one per gunicorn worker, single-threaded, started with a stripped
  environment like today's child. For each request on its SOCK_SEQPACKET socket it forks; the
  child applies the limits, parses and sends its answer itself; the zygote reaps its children and
  answers for one that died (the CPU limit's signal) without answering.
- `install()` (gunicorn's post_worker_init, bench/parse_zygote_gunicorn.py) starts the worker's
  zygote and puts `ZygoteClient.run_in_child` in place of the fresh-interpreter child.

Stdlib-only at import time, as banzu.uploads.parsecheck: the zygote imports it before the parsers.
"""

from __future__ import annotations

import itertools
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_CHILD_ENV = {"PATH": os.defpath, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_CPU_SIGNALS = {signal.SIGXCPU, signal.SIGKILL}


def serve(fd: int) -> None:
    import logging
    import warnings

    import docx  # noqa: F401 - the preload is the point
    import lxml.etree  # noqa: F401
    import pptx  # noqa: F401
    import pypdf  # noqa: F401

    from banzu.uploads import parsecheck

    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    channel = socket.socket(fileno=fd)
    children: dict[int, tuple[str, int]] = {}  # pid: (request, cpu limit)
    while True:
        ready, _w, _x = select.select([channel], [], [], 0.05)
        _reap(children, channel)
        if not ready:
            continue
        message = channel.recv(8192)
        if not message:  # the worker is gone
            return
        request, kind, memory, cpu, path = message.decode().split(" ", 4)
        pid = os.fork()
        if pid == 0:
            try:
                parsecheck.apply_limits(int(memory), int(cpu))
                failure = parsecheck._outcome(kind, path)
                channel.send(f"{request} {failure or ''}".encode()[:4000])
            finally:
                os._exit(0)
        children[pid] = (request, int(cpu))


def _reap(children: dict[int, tuple[str, int]], channel: socket.socket) -> None:
    while children:
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid == 0:
            return
        request, cpu = children.pop(pid, ("", 0))
        if request and os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            why = (
                f"too_complex: stopped at the CPU limit of {cpu}s (signal {number})"
                if number in _CPU_SIGNALS
                else f"parse: killed by signal {number}"
            )
            channel.send(f"{request} {why}".encode())


class ZygoteClient:
    """The worker's side: sends checks to its zygote and waits for each answer."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed argv
            [
                sys.executable,
                "-E",
                "-s",
                "-B",
                "-c",
                f"import sys; sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / 'bench')!r}];"
                f" import parse_zygote; parse_zygote.serve({theirs.fileno()})",
            ],
            cwd=ROOT,
            env=_CHILD_ENV,
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.channel = ours
        self.numbers = itertools.count()
        self.waiting: dict[str, list[object]] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._answers, daemon=True).start()

    def _answers(self) -> None:
        while message := self.channel.recv(8192):
            request, _space, failure = message.decode().partition(" ")
            with self.lock:
                slot = self.waiting.get(request)
            if slot is not None:
                slot[1] = failure or None
                event = slot[0]
                assert isinstance(event, threading.Event)
                event.set()

    def run_in_child(
        self, kind: str, path: Path, *, timeout_s: int, memory_bytes: int, cpu_s: int
    ) -> str | None:
        request = str(next(self.numbers))
        done = threading.Event()
        slot: list[object] = [done, None]
        with self.lock:
            self.waiting[request] = slot
        try:
            self.channel.send(f"{request} {kind} {memory_bytes} {cpu_s} {path.resolve()}".encode())
            if not done.wait(timeout_s):
                return f"overloaded: no answer within {timeout_s}s"
            return slot[1] if isinstance(slot[1], str) else None
        finally:
            with self.lock:
                self.waiting.pop(request, None)


def install() -> None:
    """In a gunicorn worker: checks go to this worker's zygote from now on."""
    from banzu.uploads import parsecheck, validation

    client = ZygoteClient()
    parsecheck.run_in_child = client.run_in_child
    if hasattr(validation, "run_in_child"):
        validation.run_in_child = client.run_in_child
