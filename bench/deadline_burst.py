"""The deadline burst: 300 applicants upload their Word materials at the same instant, through
the production configuration, on SQLite and on PostgreSQL (issue 16).

Run: .venv/bin/python bench/deadline_burst.py [--n 300] [--databases sqlite,postgres]
     [--servers gunicorn[,gunicorn-1pool][,runserver]] [--parse fork|child]
     [--workers W] [--threads T] [--conf deploy/gunicorn.conf.py]

For each database and server in turn:
1. a fresh database (SQLite in a temporary folder; PostgreSQL: `banzu_burst` on 127.0.0.1:5432,
   created here and dropped afterwards) and file store, migrated with production settings
   (scripts/production_check.py's environment: BANZU_ENV=production, DEBUG off, secure cookies);
2. a child process seeds n applicants through the services (user, enterprise, draft application
   of the active edition, its deadline an hour away) with a signed-in session each
   (bench/burst.py), so the burst measures uploads and not logins;
3. the server starts as deploy/ ships it: gunicorn with deploy/gunicorn.conf.py (its worker and
   thread counts unless --workers/--threads) for the pages (banzu-web.service) and a second
   gunicorn with the options of deploy/systemd/banzu-uploads.service for the upload POSTs, as
   nginx routes them; or `gunicorn-1pool`, one pool for everything (the configuration before the
   upload pool); or `manage.py runserver`, the named alternative the README used to serve with.
   The bench talks to them as nginx does (X-Forwarded-Proto https, each applicant's own
   X-Forwarded-For, cookies by hand);
4. each applicant's files page is opened once (the CSRF token of the form), then all n uploads
   of n distinct real .docx files (a few pages of Chinese text each) are released together, one
   thread each, while another thread fetches the login page every 200 ms;
5. a child process compares the database and the file store with what was sent and answered.

It prints, side by side: sent, acknowledged (the view's 302), stored, hash-matching (row and
file SHA-256 equal to the bytes sent), lost, errors by kind, p50/p95/max latency, the login
page's latency during the burst, and the server's own time per upload (gunicorn's access log),
whose difference from the client's latency is the time spent queued, and the CPU each upload
cost the server (its processes, the parse children, PostgreSQL), measured from /proc so that it
holds on a machine busy with other work; spread over the cores it is the shortest the burst can
take here. The goal on the 2-core machine: 0 errors, 0 lost, every hash matching, p95 under
10 s, the login page within 1 s.

The parse child (docs/benchmarks-deadline.md): `--parse fork`, production's since issue 16, forks
it from a process that imported the parsers once (banzu.uploads.zygote, BANZU_PARSE_CHILD=zygote);
`--parse child` starts a fresh interpreter per check as before (BANZU_PARSE_CHILD=fresh).

`--conf` measures another gunicorn configuration in place of deploy/gunicorn.conf.py.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Run as a script, bench/ is on the path: its modules import each other by their own names.
import burst  # noqa: E402
from event_load import server_errors  # noqa: E402

from scripts.production_check import Client, free_port, manage, production_env  # noqa: E402

PY = sys.executable
DB_NAME = "banzu_burst"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
# Gunicorn's access log with the time each request spent in the application (µs).
ACCESS_FORMAT = '"%(r)s" %(s)s %(D)s %(p)s'
SERVERS = ("gunicorn", "gunicorn-1pool", "runserver")
UPLOADS_UNIT = ROOT / "deploy" / "systemd" / "banzu-uploads.service"


def burst_env(
    var: Path, port: int, database: str, static: Path, options: argparse.Namespace
) -> dict[str, str]:
    env = production_env(var, port)
    # The production configuration's own counts, unless asked otherwise.
    env.pop("BANZU_WORKERS", None)
    env.pop("BANZU_THREADS", None)
    if options.workers:
        env["BANZU_WORKERS"] = str(options.workers)
    if options.threads:
        env["BANZU_THREADS"] = str(options.threads)
    # The journal's key, kept out of the database in production (production_check may set it).
    env.setdefault("BANZU_AUDIT_KEY", "burst-audit-" + "a" * 50)
    env["STATIC_ROOT"] = str(static)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["BANZU_PARSE_CHILD"] = "zygote" if options.parse == "fork" else "fresh"
    if database == "postgres":
        env["DATABASE_URL"] = DATABASE_URL
    return env


def postgres(statement: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(statement)


def child(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, __file__, *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def wait_ready(port: int, server: subprocess.Popen[bytes], login: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if Client(port, timeout=5).request("GET", login)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit("the server did not answer within 60 s")


def _cpu(wanted: Any) -> tuple[float, float]:
    """CPU seconds of the processes `wanted(name, process group)` picks: (their own, the
    children they have waited for)."""
    tick = os.sysconf("SC_CLK_TCK")
    own = children = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat.read_text().rsplit(")", 1)
        except OSError:  # the process ended meanwhile
            continue
        fields = rest.split()
        if wanted(name.split("(", 1)[1], int(fields[2])):  # comm, the process group (field 5)
            own += int(fields[11]) + int(fields[12])  # utime, stime
            children += int(fields[13]) + int(fields[14])  # cutime, cstime
    return own / tick, children / tick


def group_cpu(group: int) -> tuple[float, float]:
    """CPU seconds of the server's process group: (its processes' own, the children they have
    waited for: the parse children). Read before and after the burst, the difference is what
    the burst cost, however busy the rest of the machine was."""
    return _cpu(lambda _name, pgrp: pgrp == group)


def group_memory(group: int) -> float:
    """Resident MB of the server's process group (the web processes and any parse child)."""
    pages = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) == group:
                pages += int((stat.parent / "statm").read_text().split()[1])
        except (OSError, IndexError):
            continue
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024**2


def postgres_cpu() -> float:
    """CPU seconds of PostgreSQL on this machine, every backend (an ended one is counted in the
    postmaster's children); another process using PostgreSQL meanwhile is counted too."""
    return sum(_cpu(lambda name, _pgrp: name == "postgres"))


def upload_lines(access_log: Path) -> list[tuple[float, str]]:
    """(seconds in the application, the worker's pid) of each upload POST, from gunicorn's
    access log."""
    if not access_log.exists():
        return []
    found = re.findall(
        r'"POST /applications/\d+/files/ [^"]*" \d+ (\d+) <(\d+)>',
        access_log.read_text(errors="replace"),
    )
    return [(int(micros) / 1e6, pid) for micros, pid in found]


def upload_pool_options() -> list[str]:
    """The upload pool's own gunicorn options as its unit starts it (its --bind aside: the bench
    picks the port), e.g. ["--workers", "3", "--name", "banzu-uploads"]."""
    line = next(
        line for line in UPLOADS_UNIT.read_text().splitlines() if line.startswith("ExecStart=")
    )
    words = shlex.split(line.removeprefix("ExecStart="))
    words = words[words.index("deploy/gunicorn.conf.py") + 1 :]
    options = []
    while words:
        word = words.pop(0)
        if word == "--bind":
            words.pop(0)
        elif word != "banzu.wsgi":
            options.append(word)
    return options


def pools(server: str, options: argparse.Namespace) -> list[tuple[str, list[str], dict[str, str]]]:
    """(the pool's role, its command, its environment) for each server process the variant runs:
    "site" answers everything; "uploads" and "pages" split the upload POSTs from the rest, as
    nginx routes them (deploy/nginx/banzu.conf)."""
    head = [PY, "-m", "gunicorn", "-c", options.conf, "--access-logformat", ACCESS_FORMAT]
    if server == "runserver":
        return [("site", [PY, "manage.py", "runserver", "--noreload", "127.0.0.1:{port}"], {})]
    if server == "gunicorn-1pool":
        return [("site", [*head, "banzu.wsgi"], {})]
    # gunicorn, as deploy/ ships it: banzu-web.service for the pages, banzu-uploads.service for
    # the upload POSTs.
    return [
        ("uploads", [*head, *upload_pool_options(), "banzu.wsgi"], {}),
        ("pages", [*head, "banzu.wsgi"], {}),
    ]


def run_one(
    database: str, server: str, files: list[bytes], options: argparse.Namespace, work: Path
) -> dict[str, Any]:
    var = work / f"{database}-{server}"
    var.mkdir()
    ports = {role: free_port() for role, _command, _env in pools(server, options)}
    env = burst_env(var, next(iter(ports.values())), database, work / "static", options)
    if database == "postgres":
        postgres(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        postgres(f"CREATE DATABASE {DB_NAME}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        if not (work / "static").exists():
            manage(env, "collectstatic", "--noinput", "-v", "0")
        child(env, "--seed", str(options.n), "--out", str(var / "seed.json"))
        seed = json.loads((var / "seed.json").read_text())
        try:
            for role, command, extra in pools(server, options):
                port = ports[role]
                pool_env = burst_env(var, port, database, work / "static", options) | extra
                pool_env["BANZU_ACCESS_LOG"] = str(var / f"{role}-access.log")
                with (var / f"{role}-server.log").open("wb") as log:
                    processes.append(
                        subprocess.Popen(  # noqa: S603 - our own interpreter, fixed argv
                            [part.format(port=port) for part in command],
                            cwd=ROOT,
                            env=pool_env,
                            start_new_session=True,
                            stdout=log,
                            stderr=log,
                        )
                    )
            for process, port in zip(processes, ports.values(), strict=True):
                wait_ready(port, process, seed["login"])
            site = ports.get("site", 0)
            uploading = burst.Target(ports.get("uploads", site), timeout_s=options.timeout)
            probing = burst.Target(ports.get("pages", site), timeout_s=options.timeout)
            uploads = burst.prepare(uploading, seed["applicants"], files)
            load = os.getloadavg()
            cpu_before = [group_cpu(process.pid) for process in processes]
            database_before = postgres_cpu()
            client_before = os.times()
            result = burst.run_burst(uploading, uploads, seed["login"], probe=probing)
            client_after = os.times()
            database_after = postgres_cpu()
            cpu_after = [group_cpu(process.pid) for process in processes]
            memory = sum(group_memory(process.pid) for process in processes)
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):  # it exited by itself
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                process.wait(timeout=60)
        (var / "outcomes.json").write_text(json.dumps(burst.outcome_rows(result)))
        child(env, "--check", str(var / "outcomes.json"), "--out", str(var / "stored.json"))
        lines = [line for log in var.glob("*-access.log") for line in upload_lines(log)]
        errors: dict[str, int] = {}
        for server_log in var.glob("*-server.log"):
            for cause, count in server_errors(server_log).items():
                errors[cause] = errors.get(cause, 0) + count
        return {
            "summary": burst.summary(result),
            "stored": json.loads((var / "stored.json").read_text()),
            "server_times": [seconds for seconds, _pid in lines],
            # How the uploads fell to the workers: a worker accepts every connection it can,
            # so one may queue many while another has finished.
            "per_worker": sorted(Counter(pid for _seconds, pid in lines).values()),
            "server_errors": errors,
            "load_before": load,
            "memory_mb": memory,
            # CPU per upload (s): in the server's own processes, in the parse children
            "cpu": [
                sum(
                    after[i] - before[i]
                    for before, after in zip(cpu_before, cpu_after, strict=True)
                )
                / options.n
                for i in (0, 1)
            ]
            + [(database_after - database_before) / options.n if database == "postgres" else 0],
            # The bench's own threads share the cores (a real client is elsewhere).
            "client_cpu": (
                client_after.user + client_after.system - client_before.user - client_before.system
            )
            / options.n,
        }
    finally:
        if database == "postgres":
            postgres(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def report(results: dict[str, dict[str, Any]], options: argparse.Namespace) -> None:
    names = list(results)
    workers = options.workers or 2 * (os.cpu_count() or 1) + 1
    threads = options.threads or 8
    print(
        f"\nDeadline burst: {options.n} applicants, one distinct .docx each, sent at once;"
        f" {os.cpu_count()} cores; gunicorn as deploy/ ships it: the pages on {options.conf}"
        f" ({workers} gthread workers × {threads} threads), the upload POSTs on a pool of their"
        f" own ({' '.join(upload_pool_options())}); gunicorn-1pool: one pool for everything\n"
    )

    def seconds(value: float) -> str:
        return f"{value:.2f}"

    rows: list[tuple[str, Any]] = [
        ("sent", lambda r: r["stored"]["sent"]),
        ("acknowledged (302)", lambda r: r["stored"]["acknowledged"]),
        ("stored (current row)", lambda r: r["stored"]["stored"]),
        ("hash-matching", lambda r: r["stored"]["hash_matching"]),
        ("lost (acknowledged, not stored)", lambda r: r["stored"]["lost"]),
        ("stored, not acknowledged", lambda r: r["stored"]["stored_unacknowledged"]),
        ("errors", lambda r: sum(r["summary"]["errors"].values())),
        ("latency p50 (s)", lambda r: seconds(r["summary"]["p50_s"])),
        ("latency p95 (s)", lambda r: seconds(r["summary"]["p95_s"])),
        ("latency max (s)", lambda r: seconds(r["summary"]["max_s"])),
        ("burst wall time (s)", lambda r: seconds(r["summary"]["wall_s"])),
        ("in the application p50 (s)", lambda r: _server(r, 0.5)),
        ("in the application p95 (s)", lambda r: _server(r, 0.95)),
        ("uploads per worker", lambda r: " ".join(map(str, r["per_worker"])) or "-"),
        ("CPU per upload, web (ms)", lambda r: f"{r['cpu'][0] * 1000:.0f}"),
        ("CPU per upload, parse child (ms)", lambda r: f"{r['cpu'][1] * 1000:.0f}"),
        ("CPU per upload, PostgreSQL (ms)", lambda r: f"{r['cpu'][2] * 1000:.0f}"),
        ("all its CPU over the cores (s)", lambda r: _floor(r)),
        ("CPU per upload, this client (ms)", lambda r: f"{r['client_cpu'] * 1000:.0f}"),
        ("login page: fetches", lambda r: r["summary"]["probes"]),
        ("login page: failed", lambda r: r["summary"]["probe_failures"]),
        ("login page p50 (s)", lambda r: seconds(r["summary"]["probe_p50_s"])),
        ("login page max (s)", lambda r: seconds(r["summary"]["probe_max_s"])),
        ("server memory after (MB, resident)", lambda r: f"{r['memory_mb']:.0f}"),
        ("orphan files / .part left", lambda r: _leftovers(r)),
        ("load average before", lambda r: f"{r['load_before'][0]:.2f}"),
    ]
    width = max(20, *(len(name) + 2 for name in names))
    header = f"{'':<34}" + "".join(f"{name:>{width}}" for name in names)
    print(header)
    print("-" * len(header))
    for label, value in rows:
        print(f"{label:<34}" + "".join(f"{value(results[n])!s:>{width}}" for n in names))
    print()
    for name in names:
        result = results[name]
        summary = result["summary"]
        met = (
            not summary["errors"]
            and result["stored"]["lost"] == 0
            and result["stored"]["hash_matching"] == result["stored"]["sent"]
            and summary["p95_s"] < 10
            and summary["probe_max_s"] < 1
            and summary["probe_failures"] == 0
        )
        print(f"{name}: goal {'met' if met else 'MISSED'}")
        for error, count in sorted(summary["errors"].items(), key=lambda item: -item[1]):
            print(f"  error ×{count}: {error}")
        for cause, count in sorted(result["server_errors"].items(), key=lambda item: -item[1]):
            print(f"  server traceback ×{count}: {cause}")
    print(f"\nuptime: {_uptime()}")


def _server(result: dict[str, Any], share: float) -> str:
    times = result["server_times"]
    return f"{burst.percentile(times, share):.2f}" if times else "-"


def _floor(result: dict[str, Any]) -> str:
    """The shortest the burst can take on this machine's cores with nothing else running: all
    its CPU spread evenly (the goal's p95 of 10 s needs this well under 10 s)."""
    return f"{sum(result['cpu']) * result['stored']['sent'] / (os.cpu_count() or 1):.1f}"


def _leftovers(result: dict[str, Any]) -> str:
    return f"{result['stored']['orphan_files']} / {result['stored']['temp_leftovers']}"


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()  # noqa: S607


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument(
        "--servers",
        default="gunicorn",
        help=f"comma-separated, of {', '.join(SERVERS)}",
    )
    parser.add_argument(
        "--conf",
        default="deploy/gunicorn.conf.py",
        help="another gunicorn configuration to measure (the production one by default)",
    )
    parser.add_argument(
        "--parse",
        choices=["child", "fork"],
        default="fork",
        help="fork: production's (banzu.uploads.zygote); child: a fresh interpreter per check",
    )
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (conf default)")
    parser.add_argument("--threads", type=int, default=0, help="threads each (conf default)")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per upload")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.seed is not None or options.check:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
        django.setup()
        from django.urls import reverse

        if options.check:
            outcomes = json.loads(Path(options.check).read_text())
            figures: Any = burst.stored_figures(outcomes)
        else:
            figures = {
                "applicants": burst.seed_applicants(options.seed),
                "login": reverse("accounts:login"),
            }
        Path(options.out).write_text(json.dumps(figures, ensure_ascii=False))
        return
    print(f"uptime: {_uptime()}", flush=True)
    started = time.perf_counter()
    files = [burst.materials_docx(i) for i in range(options.n)]
    assert len({burst.sha256(data) for data in files}) == options.n
    print(
        f"{options.n} distinct .docx files, {statistics.mean(map(len, files)) / 1024:.0f} KB on"
        f" average, made in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    work = Path(tempfile.mkdtemp(prefix="banzu-burst-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for database in options.databases.split(","):
            for server in options.servers.split(","):
                if server not in SERVERS:
                    parser.error(f"unknown server {server}")
                label = f"{database}/{server}" + ("+fresh" if options.parse == "child" else "")
                if options.conf != parser.get_default("conf"):
                    label += f"+{Path(options.conf).stem}"
                print(f"running {label} …", flush=True)
                results[label] = run_one(database, server, files, options, work)
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    report(results, options)


if __name__ == "__main__":
    main()
