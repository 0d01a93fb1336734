"""The parse child forked from a "zygote" that imported the parsers once (issue 16).

A fresh interpreter per check (banzu.uploads.parsecheck's "fresh" child) spends about 120 ms of
CPU starting Python and importing lxml, python-docx, python-pptx and pypdf, to parse for 10-20 ms.
The zygote pays that once: one per web process, started lazily on the first check exactly like
the fresh child (a new interpreter via subprocess, `-E -s -B`, the stripped environment, never a
fork of the web process: that would carry Django, its settings and secrets), it imports the
parsers and then forks one child per check. The child closes every descriptor but its own
answer socket, applies the same limits (parsecheck.apply_limits), runs the same parse
(parsecheck._outcome) and sends its answer; the zygote reaps it and answers for a child that died
without answering (the CPU limit's signal: too_complex; any other death: parse).

Web process side (`Zygote`, used by parsecheck.run_in_child): every check makes its own
SOCK_SEQPACKET socket pair and passes one end to the zygote with the request (SCM_RIGHTS), so
threads checking at once each wait on their own socket and no answer can reach another check.
At the wall-clock timeout the check closes its end; the zygote sees that and kills the child, as
subprocess.run kills a fresh child at its timeout. The zygote exits when the web process's end
of its control socket closes (the web process exited); a dead zygote is noticed by the check
that finds it (which then falls back to a fresh child) and replaced on a later check.

Stdlib-only at import time, as parsecheck: the web process imports this module, and the zygote
imports the parsers only in serve().
"""

from __future__ import annotations

import atexit
import contextlib
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from banzu.uploads import parsecheck

_MESSAGE_MAX = 8192
# How often a web process may start a zygote: a zygote that dies at once (a broken install)
# must not double every check's cost; until the next start, checks use the fresh child.
RESTART_DELAY_S = 5.0
# What the zygote child exits with when it could not send its answer.
_NO_ANSWER_EXIT = 70


class ZygoteUnavailable(Exception):
    """The zygote could not take or finish the check: use the fresh child for it."""


# --- the zygote (its own interpreter) ------------------------------------------------


@dataclass
class _Child:
    pid: int
    answer: socket.socket
    cpu_s: int
    pidfd: int | None
    asker_gone: bool = field(default=False)


def serve(fd: int) -> None:
    """The zygote's loop on its control socket `fd` (passed by the web process)."""
    import logging
    import warnings

    import docx  # noqa: F401 - importing once is the point
    import lxml.etree  # noqa: F401
    import pptx  # noqa: F401
    import pypdf  # noqa: F401

    import banzu.uploads.base
    import banzu.uploads.pdfcheck  # noqa: F401

    # As the fresh child: pypdf's warnings would only fill a pipe nobody reads.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    control = socket.socket(fileno=fd)
    children: dict[int, _Child] = {}
    try:
        while True:
            waiting: list[object] = [control]
            for child in children.values():
                if child.pidfd is not None:
                    waiting.append(child.pidfd)
                if not child.asker_gone:
                    waiting.append(child.answer)
            # Without pidfds (an old kernel) the children are polled for.
            timeout = 0.05 if any(c.pidfd is None for c in children.values()) else None
            ready, _w, _x = select.select(waiting, [], [], timeout)
            for child in list(children.values()):
                if child.answer in ready and not child.asker_gone:
                    _asker_gone(child)
            _reap(children)
            if control in ready and not _take_request(control, children):
                return  # the web process is gone
    finally:
        for child in children.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)


def _take_request(control: socket.socket, children: dict[int, _Child]) -> bool:
    message, fds, _flags, _addr = socket.recv_fds(control, _MESSAGE_MAX, 1)
    if not message:
        for fd in fds:
            os.close(fd)
        return False
    if len(fds) != 1:
        for fd in fds:
            os.close(fd)
        return True  # not a request of ours: nobody to answer
    answer = socket.socket(fileno=fds[0])
    try:
        kind, memory, cpu, path = message.decode().split(" ", 3)
        memory_bytes, cpu_s = int(memory), int(cpu)
    except ValueError:
        _send(answer, f"parse: malformed request {message[:100]!r}")
        answer.close()
        return True
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked child; its answers are tested
        _child(control, children, answer, kind, memory_bytes, cpu_s, path)
    try:
        pidfd: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    children[pid] = _Child(pid, answer, cpu_s, pidfd)
    return True


def _child(
    control: socket.socket,
    children: dict[int, _Child],
    answer: socket.socket,
    kind: str,
    memory_bytes: int,
    cpu_s: int,
    path: str,
) -> None:
    status = _NO_ANSWER_EXIT
    try:
        # Nothing of the zygote's but this check's own socket: a parser exploited by the file
        # can neither ask the zygote for anything nor answer another check.
        control.close()
        for other in children.values():
            other.answer.close()
            if other.pidfd is not None:
                os.close(other.pidfd)
        parsecheck.apply_limits(memory_bytes, cpu_s)
        failure = parsecheck._outcome(kind, path) if kind in parsecheck._CHECKS else "parse: kind"
        _send(answer, failure)
        status = 0
    finally:
        os._exit(status)


def _send(answer: socket.socket, failure: str | None) -> None:
    # "A" accepted, "R" + the fresh child's stderr line (one line, as it prints it).
    text = "A" if failure is None else "R" + failure.replace("\n", " ")
    answer.send(text.encode("utf-8", "replace")[:_MESSAGE_MAX])


def _asker_gone(child: _Child) -> None:
    """The check's end is readable: it never sends, so it closed (its timeout): stop the child."""
    try:
        data = child.answer.recv(1, socket.MSG_DONTWAIT)
    except BlockingIOError:
        return
    except OSError:
        data = b""
    if not data:
        child.asker_gone = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(child.pid, signal.SIGKILL)


def _reap(children: dict[int, _Child]) -> None:
    for child in list(children.values()):
        pid, status = os.waitpid(child.pid, os.WNOHANG)
        if pid == 0:
            continue
        del children[child.pid]
        if status != 0 and not child.asker_gone:
            with contextlib.suppress(OSError):
                _send(child.answer, _died(status, child.cpu_s))
        child.answer.close()
        if child.pidfd is not None:
            os.close(child.pidfd)


def _died(status: int, cpu_s: int) -> str:
    """The fresh child's answer for the same death (parsecheck.run_in_child)."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if -number in parsecheck._CPU_SIGNALS:
            return f"too_complex: stopped at the CPU limit of {cpu_s}s (signal {number})"
        return f"parse: killed by signal {number}"
    return f"parse: exit {os.waitstatus_to_exitcode(status)}: no answer"


# --- the web process's side ------------------------------------------------------------


def _command(fd: int) -> list[str]:
    return [
        sys.executable,
        "-E",
        "-s",
        "-B",
        "-m",
        "banzu.uploads.zygote",
        str(fd),
    ]


class Zygote:
    """One zygote process and the web process's end of its control socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed argv
                _command(theirs.fileno()),
                cwd=parsecheck._PROJECT_ROOT,
                env=parsecheck._CHILD_ENV,
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                close_fds=True,
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.control = ours
        self.owner = os.getpid()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def close(self) -> None:
        """Close our end: the zygote exits (and stops its children); reap it."""
        self.control.close()
        if self.owner == os.getpid():
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def check(
        self, kind: str, path: Path, *, timeout_s: int, memory_bytes: int, cpu_s: int
    ) -> str | None:
        """As parsecheck.run_in_child; ZygoteUnavailable if the zygote is dead."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with mine:
            try:
                request = f"{kind} {memory_bytes} {cpu_s} {path}".encode()
                socket.send_fds(self.control, [request], [theirs.fileno()])
            except OSError as e:  # the zygote is gone (EPIPE, ECONNRESET ...)
                raise ZygoteUnavailable(str(e)) from e
            finally:
                theirs.close()
            ready, _w, _x = select.select([mine], [], [], timeout_s)
            if not ready:
                # Closing our end (leaving the with) makes the zygote kill the child.
                return f"overloaded: no answer within {timeout_s}s"
            try:
                message = mine.recv(_MESSAGE_MAX)
            except OSError:
                message = b""
        if not message:
            # Every copy of the zygote's end closed without an answer: the zygote died.
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=2)
            if self.process.poll() is not None:
                raise ZygoteUnavailable(f"exited with {self.process.returncode}")
            return "parse: no answer from the parse child"
        text = message.decode("utf-8", "replace")
        return None if text == "A" else text[1:]


_lock = threading.Lock()
_zygote: Zygote | None = None
_started_at = float("-inf")
_atexit_registered = False


def _current() -> Zygote:
    """This web process's zygote, started on first use or to replace a dead one."""
    global _zygote, _started_at, _atexit_registered
    with _lock:
        if _zygote is not None and _zygote.alive():
            return _zygote
        if _zygote is not None:
            old, _zygote = _zygote, None
            if old.owner != os.getpid():
                # Inherited by a fork (gunicorn's preload): the parent's, not ours.
                old.control.close()
            else:
                # Dead: this check runs in a fresh child, the next one starts a new zygote.
                old.close()
                raise ZygoteUnavailable(f"exited with {old.process.returncode}")
        now = time.monotonic()
        if now - _started_at < RESTART_DELAY_S:
            raise ZygoteUnavailable("restarted too recently")
        _started_at = now
        try:
            _zygote = Zygote()
        except OSError as e:
            raise ZygoteUnavailable(str(e)) from e
        if not _atexit_registered:
            atexit.register(shutdown)
            _atexit_registered = True
        return _zygote


def run_in_child(
    kind: str, path: Path, *, timeout_s: int, memory_bytes: int, cpu_s: int
) -> str | None:
    """parsecheck.run_in_child through this process's zygote; ZygoteUnavailable if it cannot."""
    global _zygote
    zygote = _current()
    try:
        return zygote.check(kind, path, timeout_s=timeout_s, memory_bytes=memory_bytes, cpu_s=cpu_s)
    except ZygoteUnavailable:
        with _lock:
            if _zygote is zygote:
                _zygote = None
        # Reap it (its control socket too); the next check starts a new one.
        zygote.close()
        raise


def shutdown() -> None:
    """Stop this process's zygote (at exit; the tests between cases)."""
    global _zygote
    with _lock:
        zygote, _zygote = _zygote, None
    if zygote is not None and zygote.owner == os.getpid():
        zygote.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print("usage: python -m banzu.uploads.zygote CONTROL_FD", file=sys.stderr)
        return 2
    serve(int(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
