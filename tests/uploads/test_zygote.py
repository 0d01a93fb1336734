"""The parse child forked from a preloaded zygote (banzu.uploads.zygote, issue 16): the same
answers, limits and isolation as the fresh child, one zygote per process, replaced when dead."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from banzu.uploads import parsecheck, zygote
from banzu.uploads.validation import FileKind, Limits, validate_upload
from tests.uploads import hostile, samples

pytestmark = pytest.mark.real_parse

MEMORY = 512 * 1024 * 1024
# A zygote whose pdf check is replaced by HOOK (a function body with `path`), for what no real
# file does: crash the parser, sleep, report the child's environment.
HOOKED = (
    "import sys\n"
    "from banzu.uploads import base, parsecheck, zygote\n"
    "def hooked(path):\n"
    "{hook}\n"
    "parsecheck._CHECKS['pdf'] = hooked\n"
    "sys.exit(zygote.main(sys.argv[1:]))\n"
)
SEGFAULT = "    import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
SLEEP = "    import time; time.sleep(60)"
REPORT = (
    "    names = sorted(v.split(b'=')[0].decode() for v in"
    " open('/proc/self/environ', 'rb').read().split(b'\\0') if v)\n"
    "    names.append('django' if 'django' in sys.modules else 'no-django')\n"
    "    raise base.Refused('parse', ' '.join(names))"
)


@pytest.fixture(autouse=True)
def _own_zygote(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts without a zygote and stops its own; restarts are not delayed."""
    zygote.shutdown()
    monkeypatch.setattr(zygote, "RESTART_DELAY_S", 0.0)
    monkeypatch.setattr(zygote, "_started_at", float("-inf"))
    yield
    zygote.shutdown()


@pytest.fixture
def fresh_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The checks that ran in a fresh child (the zygote's fallback)."""
    calls: list[str] = []
    real = parsecheck._run_fresh

    def run_fresh(kind: str, path: Path, **limits: int) -> str | None:
        calls.append(path.name)
        return real(kind, path, **limits)

    monkeypatch.setattr(parsecheck, "_run_fresh", run_fresh)
    return calls


def hook(monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    """The zygote (and the fresh child) run `body` as their pdf check."""
    script = HOOKED.format(hook=body)
    monkeypatch.setattr(
        zygote,
        "_command",
        lambda fd: [sys.executable, "-E", "-s", "-B", "-c", script, str(fd)],
    )
    fresh = script.replace("zygote.main", "parsecheck.main")
    monkeypatch.setattr(
        parsecheck,
        "_child_command",
        lambda kind, path, memory, cpu: [
            *(sys.executable, "-E", "-s", "-B", "-c", fresh),
            *(str(memory), str(cpu), kind, str(path)),
        ],
    )


def check(path: Path, child: str, *, cpu_s: int = 4, timeout_s: int = 30) -> str | None:
    kind = path.suffix.lstrip(".")
    return parsecheck.run_in_child(
        kind, path, timeout_s=timeout_s, memory_bytes=MEMORY, cpu_s=cpu_s, child=child
    )


def zygote_pid() -> int:
    current = zygote._zygote
    assert current is not None
    return current.process.pid


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rpartition(")")[2].split()[1]) == pid:
                found.append(int(entry.name))
    return found


# --- the same answers as the fresh child -----------------------------------------------------


def test_accepted_docx_pptx_pdf_same_answers(tmp_path: Path, fresh_calls: list[str]) -> None:
    files = [
        samples.make_docx(tmp_path / "a.docx"),
        samples.make_pptx(tmp_path / "a.pptx"),
        samples.make_pdf(tmp_path / "a.pdf", pages=3),
    ]
    assert [check(p, "fresh") for p in files] == [None, None, None]
    assert [check(p, "zygote") for p in files] == [None, None, None]
    # The three zygote checks went to the zygote, one and the same.
    assert fresh_calls == ["a.docx", "a.pptx", "a.pdf"]
    pid = zygote_pid()
    assert check(files[0], "zygote") is None
    assert zygote_pid() == pid
    assert fresh_calls == ["a.docx", "a.pptx", "a.pdf"]


def test_rejected_files_same_answers(tmp_path: Path, fresh_calls: list[str]) -> None:
    garbage = tmp_path / "g.pdf"
    garbage.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    cut = samples.make_docx(tmp_path / "cut.docx")
    cut.write_bytes(cut.read_bytes()[:-40])
    slow = hostile.slow_pdf(tmp_path / "slow.pdf")
    for path, code in ((garbage, "parse"), (cut, "parse"), (slow, "too_complex")):
        fresh = check(path, "fresh")
        assert fresh is not None
        assert fresh.startswith(f"{code}: ")
        assert check(path, "zygote") == fresh
    assert check(slow, "zygote") == (
        "too_complex: LimitReachedError: Reached maximum number of tokens per stream."
    )
    assert fresh_calls == ["g.pdf", "cut.docx", "slow.pdf"]


def test_slow_pdf_stops_at_the_cpu_limit_too_complex(
    tmp_path: Path, fresh_calls: list[str]
) -> None:
    path = hostile.slow_pdf(tmp_path / "distinct.pdf", pages=20, reps=20_000, distinct=True)
    expected = {
        "too_complex: stopped at the CPU limit of 1s (signal 24)",
        "too_complex: stopped at the CPU limit of 1s (signal 9)",
    }
    assert check(path, "fresh", cpu_s=1) in expected
    started = time.monotonic()
    assert check(path, "zygote", cpu_s=1) in expected
    assert time.monotonic() - started < 10
    assert fresh_calls == ["distinct.pdf"]
    # The zygote outlived its child.
    assert zygote._zygote is not None
    assert zygote._zygote.alive()


def test_crashing_parser_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_calls: list[str]
) -> None:
    hook(monkeypatch, SEGFAULT)
    path = samples.make_pdf(tmp_path / "crash.pdf")
    assert check(path, "fresh") == "parse: killed by signal 11"
    assert check(path, "zygote") == "parse: killed by signal 11"
    assert fresh_calls == ["crash.pdf"]
    assert check(samples.make_docx(tmp_path / "ok.docx"), "zygote") is None


def test_memory_limit_applies_in_the_forked_child(tmp_path: Path) -> None:
    heavy = samples.make_heavy_pdf(tmp_path / "heavy.pdf")
    roomy = check_with_memory(heavy, 512 * 1024 * 1024)
    tight = check_with_memory(heavy, 128 * 1024 * 1024)
    assert roomy is None
    assert tight is not None
    assert tight.startswith("too_complex: ")


def check_with_memory(path: Path, memory: int) -> str | None:
    return parsecheck.run_in_child(
        "pdf", path, timeout_s=30, memory_bytes=memory, cpu_s=10, child="zygote"
    )


# --- timeout, death, threads -----------------------------------------------------------------


def test_timeout_overloaded_and_the_child_killed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook(monkeypatch, SLEEP)
    path = samples.make_pdf(tmp_path / "sleep.pdf")
    assert check(path, "zygote", timeout_s=1) == "overloaded: no answer within 1s"
    pid = zygote_pid()
    deadline = time.monotonic() + 5
    while children_of(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children_of(pid) == []


def test_dead_zygote_falls_back_then_replaced(tmp_path: Path, fresh_calls: list[str]) -> None:
    path = samples.make_docx(tmp_path / "a.docx")
    assert check(path, "zygote") is None
    first = zygote._zygote
    assert first is not None
    os.kill(first.process.pid, signal.SIGKILL)
    first.process.wait(5)
    # The check that finds it dead answers from a fresh child.
    assert check(path, "zygote") is None
    assert fresh_calls == ["a.docx"]
    # The next one starts a new zygote.
    assert check(path, "zygote") is None
    assert fresh_calls == ["a.docx"]
    assert zygote_pid() != first.process.pid
    assert first.control.fileno() == -1


def test_zygote_that_cannot_start_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_calls: list[str]
) -> None:
    exits = [sys.executable, "-c", "raise SystemExit(3)"]
    monkeypatch.setattr(zygote, "_command", lambda fd: exits)
    garbage = tmp_path / "g.pdf"
    garbage.write_bytes(b"%PDF-1.4\n garbage")
    answer = check(garbage, "zygote")
    assert answer is not None
    assert answer.startswith("parse: ")
    assert fresh_calls == ["g.pdf"]


def test_restart_delay_uses_the_fresh_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_calls: list[str]
) -> None:
    path = samples.make_docx(tmp_path / "a.docx")
    monkeypatch.setattr(zygote, "RESTART_DELAY_S", 60.0)
    assert check(path, "zygote") is None
    os.kill(zygote_pid(), signal.SIGKILL)
    assert [check(path, "zygote") for _ in range(3)] == [None, None, None]
    assert fresh_calls == ["a.docx", "a.docx", "a.docx"]
    assert zygote._zygote is None


def test_threads_checking_at_once_get_their_own_answers(
    tmp_path: Path, fresh_calls: list[str]
) -> None:
    garbage = tmp_path / "g.pdf"
    garbage.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    files = [
        samples.make_docx(tmp_path / "a.docx"),
        hostile.slow_pdf(tmp_path / "slow.pdf", pages=20, reps=20_000, distinct=True),
        garbage,
        samples.make_pptx(tmp_path / "a.pptx"),
        samples.make_pdf(tmp_path / "a.pdf"),
        hostile.slow_pdf(tmp_path / "tokens.pdf"),
    ]
    expected = [check(p, "fresh", cpu_s=1) for p in files]
    assert [code and code.partition(":")[0] for code in expected] == [
        None,
        "too_complex",
        "parse",
        None,
        None,
        "too_complex",
    ]
    fresh_calls.clear()
    start = threading.Barrier(len(files) * 2)

    def one(path: Path) -> str | None:
        start.wait(30)
        return check(path, "zygote", cpu_s=1)

    with ThreadPoolExecutor(len(files) * 2) as pool:
        answers = list(pool.map(one, files * 2))
    # Which bound stops a too-complex PDF first (pypdf's token limit or the 1 s CPU limit)
    # depends on how busy the machine is; every other answer is compared word for word.
    assert list(map(_bound_aside, answers)) == list(map(_bound_aside, expected)) * 2
    assert fresh_calls == []


def _bound_aside(answer: str | None) -> str | None:
    return "too_complex" if answer and answer.startswith("too_complex:") else answer


# --- isolation ---------------------------------------------------------------------------------


def test_child_environment_is_stripped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "banzu.settings")
    hook(monkeypatch, REPORT)
    path = samples.make_pdf(tmp_path / "env.pdf")
    assert check(path, "zygote") == "parse: LANG LC_ALL PATH no-django"
    environ = Path(f"/proc/{zygote_pid()}/environ").read_bytes()
    assert sorted(environ.split(b"\0")[:-1]) == [
        b"LANG=C.UTF-8",
        b"LC_ALL=C.UTF-8",
        f"PATH={os.defpath}".encode(),
    ]
    assert check(path, "fresh") == "parse: LANG LC_ALL PATH no-django"


def test_zygote_started_like_the_fresh_child() -> None:
    command = zygote._command(7)
    assert command == [sys.executable, "-E", "-s", "-B", "-m", "banzu.uploads.zygote", "7"]
    assert parsecheck._child_command("pdf", Path("/x.pdf"), 1, 2)[:4] == command[:4]


def test_zygote_exits_when_its_process_lets_go(tmp_path: Path) -> None:
    assert check(samples.make_pdf(tmp_path / "a.pdf"), "zygote") is None
    current = zygote._zygote
    assert current is not None
    current.control.close()
    assert current.process.wait(10) == 0


def test_a_forked_web_process_starts_its_own_zygote(tmp_path: Path) -> None:
    # gunicorn forks workers: a zygote inherited from the parent is not the child's.
    path = samples.make_docx(tmp_path / "a.docx")
    assert check(path, "zygote") is None
    parent_zygote = zygote_pid()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked test process
        try:
            answer = check(path, "zygote")
            os.write(write, f"{answer} {zygote_pid()}".encode())
        finally:
            os._exit(0)
    os.close(write)
    reported = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    answer, _space, child_zygote = reported.partition(" ")
    assert answer == "None"
    assert int(child_zygote) != parent_zygote
    assert check(path, "zygote") is None
    assert zygote_pid() == parent_zygote


# --- the choice ---------------------------------------------------------------------------------


def test_parse_child_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANZU_PARSE_CHILD", "fresh")
    assert parsecheck._parse_child_from_env() == "fresh"
    monkeypatch.setenv("BANZU_PARSE_CHILD", "zygote")
    assert parsecheck._parse_child_from_env() == "zygote"
    monkeypatch.setenv("BANZU_PARSE_CHILD", "fork")
    with pytest.raises(ValueError, match="BANZU_PARSE_CHILD='fork'"):
        parsecheck._parse_child_from_env()
    monkeypatch.delenv("BANZU_PARSE_CHILD")
    # Under the test runner: fresh unless asked; anywhere else the zygote.
    assert parsecheck._parse_child_from_env() == "fresh"
    monkeypatch.delenv("PYTEST_VERSION")
    assert parsecheck._parse_child_from_env() == "zygote"


def test_default_outside_the_test_runner_is_the_zygote() -> None:
    env = {"PATH": os.defpath, "BANZU_SECRET": "x"}
    probe = "from banzu.uploads import parsecheck; print(parsecheck.PARSE_CHILD)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=parsecheck._PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "zygote"


def test_validate_upload_through_the_zygote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_calls: list[str]
) -> None:
    monkeypatch.setattr(parsecheck, "PARSE_CHILD", "zygote")
    limits = Limits(max_bytes=20 * 1024 * 1024)
    path = samples.make_docx(tmp_path / "a.docx")
    assert validate_upload(path, "a.docx", limits=limits).kind == FileKind.DOCX
    assert zygote._zygote is not None
    assert fresh_calls == []


def test_unknown_child_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="child='fork'"):
        check(samples.make_pdf(tmp_path / "a.pdf"), "fork")
