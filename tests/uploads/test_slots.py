"""One check at a time per uploader, across threads and processes; a few parse children per
process (issue 16, item 2: one applicant must not occupy every worker)."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from banzu.uploads import slots, validation
from banzu.uploads.validation import FileKind, Limits, UploadRejected, validate_upload
from tests.uploads import samples

pytestmark = pytest.mark.real_parse

LIMITS = Limits(max_bytes=20 * 1024 * 1024)
ROOT = Path(validation.__file__).resolve().parents[2]
HOLDER = (
    "import sys; from pathlib import Path; from banzu.uploads import slots\n"
    "with slots.uploader_slot(Path(sys.argv[1])):\n"
    "    print('held', flush=True)\n"
    "    sys.stdin.read()\n"
)


def busy_code(path: Path, lock: Path, limits: Limits = LIMITS) -> str:
    with pytest.raises(UploadRejected) as excinfo:
        validate_upload(path, path.name, limits=limits, uploader_lock=lock)
    assert excinfo.value.message == validation.REJECTION_MESSAGES[excinfo.value.code]
    return excinfo.value.code


Gate = tuple[Path, threading.Event, threading.Event]


@pytest.fixture
def gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Gate]:
    """A PDF whose parse check waits, inside its parse slot, until the test releases it."""
    held = samples.make_pdf(tmp_path / "held.pdf")
    entered, release = threading.Event(), threading.Event()
    real = validation.parse_check

    def parse_check(kind: FileKind, path: Path, limits: Limits) -> str | None:
        if path == held:
            entered.set()
            assert release.wait(60)
        return real(kind, path, limits)

    monkeypatch.setattr(validation, "parse_check", parse_check)
    yield held, entered, release
    release.set()


def test_same_uploader_second_check_busy_while_another_uploader_proceeds(
    tmp_path: Path, gate: Gate
) -> None:
    held, entered, release = gate
    second = samples.make_pdf(tmp_path / "second.pdf", pages=2)
    other = samples.make_pdf(tmp_path / "other.pdf", pages=3)
    lock_a = slots.uploader_lock(tmp_path / "locks", "user-1")
    lock_b = slots.uploader_lock(tmp_path / "locks", "user-2")
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(validate_upload, held, "held.pdf", limits=LIMITS, uploader_lock=lock_a)
        assert entered.wait(60)
        assert busy_code(second, lock_a) == "busy"
        assert (
            validate_upload(other, "other.pdf", limits=LIMITS, uploader_lock=lock_b).kind
            == FileKind.PDF
        )
        release.set()
        assert first.result(timeout=60).kind == FileKind.PDF
    # Free again once the first check is over; its lock file is gone with it.
    assert (
        validate_upload(second, "second.pdf", limits=LIMITS, uploader_lock=lock_a).size
        == second.stat().st_size
    )
    assert list((tmp_path / "locks").iterdir()) == []


@contextlib.contextmanager
def holder(lock: Path) -> Iterator[subprocess.Popen[str]]:
    """Another Python process (as another gunicorn worker would be) holding `lock`."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(lock)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "held\n"
        try:
            yield process
        finally:
            if process.poll() is None:
                process.communicate("", timeout=30)


def test_same_uploader_in_another_process_busy(tmp_path: Path) -> None:
    path = samples.make_pdf(tmp_path / "x.pdf")
    lock_a = slots.uploader_lock(tmp_path, "user-1")
    with holder(lock_a) as process:
        assert busy_code(path, lock_a) == "busy"
        other = slots.uploader_lock(tmp_path, "user-2")
        assert (
            validate_upload(path, "x.pdf", limits=LIMITS, uploader_lock=other).kind == FileKind.PDF
        )
    assert process.returncode == 0
    assert validate_upload(path, "x.pdf", limits=LIMITS, uploader_lock=lock_a).kind == FileKind.PDF


def test_killed_holder_leaves_the_uploader_free(tmp_path: Path) -> None:
    # A worker killed mid-check (timeout, OOM, deploy) blocks nobody: the kernel drops its lock.
    path = samples.make_pdf(tmp_path / "x.pdf")
    lock_a = slots.uploader_lock(tmp_path, "user-1")
    with holder(lock_a) as process:
        process.kill()
        process.wait(timeout=30)
    assert lock_a.exists()
    assert validate_upload(path, "x.pdf", limits=LIMITS, uploader_lock=lock_a).kind == FileKind.PDF
    assert not lock_a.exists()


def test_process_parse_slots_full_overloaded(
    tmp_path: Path, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    held, entered, release = gate
    monkeypatch.setattr(slots, "_process_slots", threading.BoundedSemaphore(1))
    other = samples.make_pdf(tmp_path / "other.pdf", pages=2)
    impatient = Limits(max_bytes=LIMITS.max_bytes, queue_timeout_s=0.2)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(validate_upload, held, "held.pdf", limits=LIMITS)
        assert entered.wait(60)
        with pytest.raises(UploadRejected) as excinfo:
            validate_upload(other, "other.pdf", limits=impatient)
        assert excinfo.value.code == "overloaded"
        release.set()
        assert first.result(timeout=60).kind == FileKind.PDF
    assert validate_upload(other, "other.pdf", limits=impatient).kind == FileKind.PDF


def test_process_parse_slots_queue_until_free(
    tmp_path: Path, gate: Gate, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A patient check waits for the slot rather than failing.
    held, entered, release = gate
    monkeypatch.setattr(slots, "_process_slots", threading.BoundedSemaphore(1))
    other = samples.make_pdf(tmp_path / "other.pdf", pages=2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(validate_upload, held, "held.pdf", limits=LIMITS)
        assert entered.wait(60)
        queued = pool.submit(validate_upload, other, "other.pdf", limits=LIMITS)
        assert not queued.done()
        release.set()
        assert (first.result(timeout=60).kind, queued.result(timeout=60).kind) == (
            FileKind.PDF,
            FileKind.PDF,
        )


def test_process_slots_default() -> None:
    assert slots.PROCESS_SLOTS == 2
    assert Limits(max_bytes=1).queue_timeout_s == 60.0
