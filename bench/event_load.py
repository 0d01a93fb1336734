"""The presentation event under load, on PostgreSQL behind the production server, beside Django's
development server (`runserver`, the named alternative the README used to serve with) in the same
run and on the same data.

Run: .venv/bin/python bench/event_load.py [--seconds 60] [--rooms 8] [--panel 7] [--viewers 60]
     [--servers gunicorn,runserver]

What it does, for each server in turn:
1. creates the database `banzu_bench` on the PostgreSQL server at 127.0.0.1:5432 (trust auth),
   migrates it, and seeds an event (`--seed`, in a child process): `rooms` rooms, each with five
   scored teams, its first team presenting, a panel of `panel` experts and a secretary;
2. starts the server with the production settings (BANZU_ENV=production, DEBUG off, static files
   collected) on 127.0.0.1;
3. runs locust headless (bench/event_locustfile.py, in its own process because locust patches
   the standard library with gevent): per room `panel` expert phones, one console and one big
   screen, plus `viewers` viewers of the big screens, every client polling as the pages do, and
   every expert submitting the current team's sheet once — and then again with the same key, as
   a phone does whose answer was lost;
4. reads locust's figures and checks the database: exactly one submitted sheet per expert and
   team, carrying the key the phone was answered for (no lost, no duplicated sheet).

It prints requests per second, p50/p95/p99 per endpoint and the errors, both servers side by
side. The goal on the 2-core machine: p95 under 150 ms for the polling and the submitting
endpoints, no error, no lost or duplicated sheet.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DB_NAME = "banzu_bench"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
DATABASE_URL = f"postgresql://postgres@127.0.0.1:5432/{DB_NAME}"
TEAMS_PER_ROOM = 5
ARRIVAL = 20  # seconds over which the clients arrive
PASSWORD = "bench-event-password-9"  # noqa: S105 - the seeded bench accounts' password
SERVERS = {
    # The production server: gthread workers (by default 2 × cores + 1 processes of 8 threads),
    # the configuration that survived the deadline burst in issue 16's trial.
    "gunicorn": [
        "-m",
        "gunicorn",
        "banzu.wsgi",
        "--worker-class",
        "gthread",
        "--workers",
        "{workers}",
        "--threads",
        "{threads}",
        "--bind",
        "127.0.0.1:{port}",
        "--keep-alive",
        "10",
        "--log-level",
        "warning",
    ],
    # Threaded, as the README served before: one process for everything.
    "runserver": ["manage.py", "runserver", "--noreload", "127.0.0.1:{port}"],
}


def server_env(seed_file: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        BANZU_ENV="production",
        SECRET_KEY="bench-only-" + "k" * 50,
        DATABASE_URL=DATABASE_URL,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # The bench speaks plain HTTP on the loopback; production sits behind TLS.
        SECURE_SSL_REDIRECT="0",
        # The seeded sessions stand for logins made before the event; the second factor guards
        # the login, which the bench does not measure.
        REQUIRE_SECOND_FACTOR="0",
        AXES_FAILURE_LIMIT="1000",
        BENCH_SEED_FILE=str(seed_file),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


# --- the database and its seed ---------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DB_NAME}")


def seed(rooms: int, panel: int, out: Path) -> None:
    """Runs in a child process with Django set up on the bench database."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
    django.setup()
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.urls import reverse
    from django.utils import timezone

    from banzu.accounts.enums import Role
    from banzu.accounts.models import Enterprise, Recommender, User
    from banzu.applications.enums import ApplicationState
    from banzu.applications.models import Application, Team
    from banzu.editions.models import Edition
    from banzu.editions.selectors import presentation_sheet
    from banzu.presentations.enums import RoomState, SlotState
    from banzu.presentations.models import Event, PanelMember, Room, Slot
    from banzu.review.models import ExpertProfile

    password = make_password(PASSWORD)
    edition = Edition.objects.get(year=2026)
    recommender = Recommender.objects.order_by("pk").first()
    assert recommender is not None
    start = timezone.now() - dt.timedelta(minutes=3)
    event = Event.objects.create(edition=edition, starts_on=start.date(), venue="杭州国际博览中心")
    seeded: dict[str, Any] = {"rooms": []}
    number = 0
    for r in range(1, rooms + 1):
        secretary = User.objects.create(
            username=f"bench_sec{r}", full_name=f"秘书{r}", role=Role.SECRETARY, password=password
        )
        room = Room.objects.create(
            event=event,
            position=r,
            name=f"第{r}分会场",
            place=f"{r}号厅",
            starts_at=start,
            secretary=secretary,
            state=RoomState.RUNNING,
        )
        experts = []
        for e in range(1, panel + 1):
            user = User.objects.create(
                username=f"bench_r{r}e{e}",
                full_name=f"专家{r}-{e}",
                role=Role.EXPERT,
                password=password,
            )
            ExpertProfile.objects.create(user=user, organisation=f"评审单位{r}-{e}")
            PanelMember.objects.create(room=room, expert=user)
            experts.append(user.username)
        slots = []
        for position in range(1, TEAMS_PER_ROOM + 1):
            number += 1
            enterprise = Enterprise.objects.create(
                name=f"浙江第{number}建设有限公司",
                industry="房屋建筑工程",
                ownership="state",
                address="浙江省杭州市",
                supervising_department="质量安全部",
                supervising_contact="王工",
                supervising_phone="0571-81956046",
            )
            team = Team.objects.create(enterprise=enterprise, name=f"钢筋{number}班")
            owner = User.objects.create(
                username=f"bench_app{number}",
                role=Role.APPLICANT,
                enterprise=enterprise,
                password=password,
            )
            application = Application.objects.create(
                edition=edition,
                team=team,
                recommender=recommender,
                created_by=owner,
                state=ApplicationState.SCORED,
                recommendation_number=f"杭-2026-{number:03d}",
                experience_title=f"以精细化管理提升一次合格率（{number}）",
            )
            slots.append(
                Slot.objects.create(
                    event=event,
                    application=application,
                    room=room,
                    drawn_position=position,
                    position=position,
                )
            )
        current = slots[0]
        current.state = SlotState.PRESENTING
        current.opened_at = start
        current.save()
        room.chair = User.objects.get(username=experts[0])
        room.current = current
        room.save()
        seeded["rooms"].append(
            {
                "room": room.pk,
                "slot": current.pk,
                "secretary": secretary.username,
                "experts": experts,
                "urls": room_urls(room, reverse),
            }
        )
    seeded["maxima"] = [str(item.max_points) for item in presentation_sheet(edition)]
    admin = User.objects.create(
        username="bench_admin", full_name="管理员", role=Role.ADMIN, password=password
    )
    seeded["admin"] = "bench_admin"
    # Every client arrives signed in, as phones and consoles are on the day: the sessions are
    # made here, so the load measures the event's pages and not sixty password hashes at once.
    seeded["sessions"] = {
        user.username: signed_in_session(user)
        for user in User.objects.filter(role__in=[Role.EXPERT, Role.SECRETARY])
    } | {admin.username: signed_in_session(admin)}
    seeded["board"] = reverse("presentations:board_rooms")
    seeded["password"] = PASSWORD
    seeded["login"] = reverse("accounts:login")
    out.write_text(json.dumps(seeded, ensure_ascii=False, indent=1))


def signed_in_session(user: Any) -> str:
    """A session as django.contrib.auth.login leaves it, for the user."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def room_urls(room: Any, reverse: Any) -> dict[str, str]:
    """The URLs each client polls or posts to, as the pages do."""
    return {
        "console": reverse("presentations:console_status", args=[room.pk]),
        "screen": reverse("presentations:screen_stage", args=[room.screen_token]),
        "score_page": reverse("presentations:score", args=[room.pk]),
        "score_live": reverse("presentations:score_status", args=[room.pk])
        + f"?slot={room.current_id}",
        "submit": reverse("presentations:score_submit", args=[room.pk]),
    }


def sheet_check(seed_file: Path, acknowledged_file: Path) -> dict[str, int]:
    """Runs in a child process: compares the sheets stored with the keys the phones were
    answered for."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "banzu.settings")
    django.setup()
    from banzu.presentations.enums import SheetState
    from banzu.presentations.models import PresentationSheet

    acknowledged = json.loads(acknowledged_file.read_text())
    stored = {
        (sheet.slot_id, sheet.expert.username): str(sheet.client_key)
        for sheet in PresentationSheet.objects.filter(state=SheetState.SUBMITTED).select_related(
            "expert"
        )
    }
    rows = PresentationSheet.objects.count()
    answered = {(item["slot"], item["expert"]): item["key"] for item in acknowledged}
    lost = sum(1 for pair in answered if pair not in stored)
    wrong = sum(1 for pair, key in answered.items() if pair in stored and stored[pair] != key)
    unasked = sum(1 for pair in stored if pair not in answered)
    return {
        "acknowledged": len(answered),
        "stored": len(stored),
        "rows": rows,
        "lost": lost,
        "key_differs": wrong,
        "stored_unacknowledged": unasked,
    }


# --- the servers and the load ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the server on port {port} did not answer within {timeout} s")


def child(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([PYTHON, *args], cwd=ROOT, env=env, check=True)  # noqa: S603 - our argv


def run_one(name: str, options: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    seed_file = workdir / f"{name}-seed.json"
    acknowledged = workdir / f"{name}-acknowledged.json"
    env = server_env(seed_file)
    recreate_database()
    child(["manage.py", "migrate", "--noinput", "-v", "0"], env)
    child(["manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    child(
        [
            __file__,
            "--seed",
            "--rooms",
            str(options.rooms),
            "--panel",
            str(options.panel),
            "--seed-file",
            str(seed_file),
        ],
        env,
    )
    port = free_port()
    command = [
        PYTHON,
        *(
            part.format(port=port, workers=options.workers, threads=options.threads)
            for part in SERVERS[name]
        ),
    ]
    log = (workdir / f"{name}-server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_ready(port)
        users = options.rooms * (options.panel + 2) + options.viewers + 1
        prefix = workdir / name
        load_env = env | {
            "BENCH_ACKNOWLEDGED_FILE": str(acknowledged),
            "BENCH_VIEWERS": str(options.viewers),
        }
        subprocess.run(  # noqa: S603 - fixed argv, no shell
            [
                PYTHON,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "event_locustfile.py"),
                "--headless",
                "--host",
                f"http://127.0.0.1:{port}",
                "--users",
                str(users),
                # The clients arrive over ARRIVAL seconds, as a room fills; the figures count
                # from the moment the last one has arrived (the opening page loads of the
                # arrival are not the event's steady load).
                "--spawn-rate",
                f"{users / ARRIVAL:.2f}",
                "--reset-stats",
                "--run-time",
                f"{options.seconds + ARRIVAL}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=load_env,
            check=True,
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    stats = read_stats(prefix)
    check_out = workdir / f"{name}-check.json"
    child(
        [
            __file__,
            "--check",
            str(acknowledged),
            "--seed-file",
            str(seed_file),
            "--out",
            str(check_out),
        ],
        env,
    )
    return {
        "stats": stats,
        "sheets": json.loads(check_out.read_text()),
        "server_errors": server_errors(workdir / f"{name}-server.log"),
    }


def server_errors(log: Path) -> dict[str, int]:
    """The distinct last lines of the server's tracebacks, counted (the causes of its 500s)."""
    counts: dict[str, int] = {}
    lines = log.read_text(errors="replace").splitlines()
    for number, line in enumerate(lines):
        if line.startswith("Traceback"):
            end = number + 1
            while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
                end += 1
            cause = lines[end][:140] if end < len(lines) else "?"
            counts[cause] = counts.get(cause, 0) + 1
    return counts


def read_stats(prefix: Path) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    with open(f"{prefix}_stats.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["50%"] == "N/A":  # no request of this kind after the arrival
                continue
            rows[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"]),
                "p95": float(row["95%"]),
                "p99": float(row["99%"]),
            }
    return rows


def report(results: dict[str, dict[str, Any]], options: argparse.Namespace) -> None:
    names = list(results)
    clients = options.rooms * (options.panel + 2) + options.viewers
    print(
        f"\nEvent load: {options.rooms} rooms × ({options.panel} expert phones + a console + a big"
        f" screen) + {options.viewers} viewers + the admin's board = {clients + 1} clients,"
        f" {options.seconds} s each, PostgreSQL\n"
    )
    endpoints = sorted({endpoint for result in results.values() for endpoint in result["stats"]})
    header = f"{'endpoint':<26}" + "".join(
        f"{name + ' req/s':>16}{'p50':>7}{'p95':>7}{'p99':>7}{'err':>6}" for name in names
    )
    print(header)
    print("-" * len(header))
    for endpoint in endpoints:
        line = f"{endpoint:<26}"
        for name in names:
            row = results[name]["stats"].get(endpoint)
            if row is None:
                line += f"{'-':>16}{'':>7}{'':>7}{'':>7}{'':>6}"
                continue
            line += (
                f"{row['rps']:>16.1f}{row['p50']:>7.0f}{row['p95']:>7.0f}{row['p99']:>7.0f}"
                f"{row['failures']:>6.0f}"
            )
        print(line)
    print("\n(milliseconds; err = failed requests)\n")
    for name in names:
        sheets = results[name]["sheets"]
        print(
            f"{name}: sheets acknowledged {sheets['acknowledged']}, stored {sheets['stored']} "
            f"(rows {sheets['rows']}), lost {sheets['lost']}, key differs "
            f"{sheets['key_differs']}, stored but never acknowledged "
            f"{sheets['stored_unacknowledged']}"
        )
        for cause, count in sorted(results[name]["server_errors"].items(), key=lambda i: -i[1]):
            print(f"  server error ×{count}: {cause}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--rooms", type=int, default=8)
    parser.add_argument("--panel", type=int, default=7)
    parser.add_argument("--viewers", type=int, default=60)
    parser.add_argument("--servers", default="gunicorn,runserver")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seed", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    parser.add_argument("--seed-file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.seed:
        seed(options.rooms, options.panel, Path(options.seed_file))
        return
    if options.check:
        figures = sheet_check(Path(options.seed_file), Path(options.check))
        Path(options.out).write_text(json.dumps(figures))
        return
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="banzu-event-load-") as folder:
        for name in options.servers.split(","):
            print(f"running {name} …", flush=True)
            results[name] = run_one(name, options, Path(folder))
    report(results, options)


if __name__ == "__main__":
    main()
