"""The clients of a live presentation event, for bench/event_load.py (run by it, not alone).

Per room: the panel's phones (log in, poll the scoring partial as the page does, submit the
current team's sheet once, then again with the same key as a phone whose answer was lost), the
secretary's console (polls its partial), the big screen (polls its partial); and viewers who poll
a big screen. The seed file written by event_load.py names the users and the URLs; the keys the
server acknowledged are written to BENCH_ACKNOWLEDGED_FILE when the run stops.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from typing import Any

from locust import HttpUser, between, constant, events, task

with open(os.environ["BENCH_SEED_FILE"]) as _seed:
    SEED: dict[str, Any] = json.load(_seed)
ROOMS: list[dict[str, Any]] = SEED["rooms"]
PANEL = len(ROOMS[0]["experts"])
VIEWERS = int(os.environ.get("BENCH_VIEWERS", "60"))
# The polling intervals of the pages (their hx-trigger="every …").
SCREEN_POLL = 2.0
CONSOLE_POLL = 3.0
SCORE_POLL = 3.0
BOARD_POLL = 5.0

_experts = itertools.cycle([(room, expert) for room in ROOMS for expert in room["experts"]])
_consoles = itertools.cycle(ROOMS)
_screens = itertools.cycle(ROOMS)
ACKNOWLEDGED: list[dict[str, Any]] = []
VERSION = re.compile(r"[?&]v=(\d+)")
CSRF_TOKEN = "benchcsrf" + "0" * 23  # 32 characters, the length of Django's secret


class Poller:
    """Polls as the htmx pages do: the URL carries the version the page shows (read from the
    last partial it received), and a 204 leaves the page as it is."""

    def __init__(self, user: HttpUser, url: str, name: str) -> None:
        self.user, self.url, self.name, self.version = user, url, name, ""

    def __call__(self) -> None:
        joiner = "&" if "?" in self.url else "?"
        url = f"{self.url}{joiner}v={self.version}" if self.version else self.url
        response = self.user.client.get(url, name=self.name)
        if response.status_code == 200:
            found = VERSION.search(response.text)
            self.version = found.group(1) if found else ""


def log_in(user: HttpUser, username: str) -> None:
    """Arrive signed in with the session the seed made (as a phone that logged in before the
    session began), and with a CSRF token of the client's own, as Django's double-submit cookie
    allows. The production cookies are marked Secure and the bench speaks HTTP on the loopback,
    so they are set by hand."""
    user.client.cookies.set("sessionid", SEED["sessions"][username])
    user.client.cookies.set("csrftoken", CSRF_TOKEN)


class ExpertPhone(HttpUser):
    fixed_count = len(ROOMS) * PANEL
    wait_time = constant(SCORE_POLL)

    def on_start(self) -> None:
        self.room, self.username = next(_experts)
        log_in(self, self.username)
        self.client.get(self.room["urls"]["score_page"], name="score page")
        # The expert scores after a while on stage, not all at the same instant.
        self.submit_after = random.randint(8, 16)
        self.polls = 0
        self.key = str(uuid.uuid4())
        self.sent = 0
        self.poll = Poller(self, self.room["urls"]["score_live"], "score partial (poll)")

    @task
    def poll_and_score(self) -> None:
        self.poll()
        self.polls += 1
        if self.polls >= self.submit_after and self.sent < 2:
            self.submit()

    def submit(self) -> None:
        body = {
            "slot": self.room["slot"],
            "client_key": self.key,
            "items": [
                {"position": position, "points": str(points)}
                for position, points in enumerate(sheet_points(), start=1)
            ],
            "comment": "思路清晰，数据翔实。",
        }
        with self.client.post(
            self.room["urls"]["submit"],
            data=json.dumps(body),
            headers={
                "Content-Type": "application/json",
                "X-CSRFToken": CSRF_TOKEN,
                "Referer": self.host or "",
            },
            name="sheet submit" if self.sent == 0 else "sheet submit (same key again)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            if self.sent == 0:
                ACKNOWLEDGED.append(
                    {"slot": self.room["slot"], "expert": self.username, "key": self.key}
                )
        self.sent += 1


def sheet_points() -> list[str]:
    """Five items of the seeded 2026 sheet, whole or half points within their maxima."""
    halves = [int(float(maximum) * 2) for maximum in SEED["maxima"]]
    return [str(random.randint(max(half - 3, 0), half) / 2) for half in halves]


class Console(HttpUser):
    fixed_count = len(ROOMS)
    wait_time = constant(CONSOLE_POLL)

    def on_start(self) -> None:
        self.room = next(_consoles)
        log_in(self, self.room["secretary"])
        self.poller = Poller(self, self.room["urls"]["console"], "console partial (poll)")

    @task
    def poll(self) -> None:
        self.poller()


class BigScreen(HttpUser):
    fixed_count = len(ROOMS)
    wait_time = constant(SCREEN_POLL)

    def on_start(self) -> None:
        self.room = next(_screens)
        self.poller = Poller(self, self.room["urls"]["screen"], "big screen partial (poll)")

    @task
    def poll(self) -> None:
        self.poller()


class Viewer(HttpUser):
    fixed_count = VIEWERS
    wait_time = between(SCREEN_POLL - 0.5, SCREEN_POLL + 0.5)

    def on_start(self) -> None:
        self.room = random.choice(ROOMS)
        self.poller = Poller(self, self.room["urls"]["screen"], "big screen partial (poll)")

    @task
    def poll(self) -> None:
        self.poller()


class Board(HttpUser):
    fixed_count = 1
    wait_time = constant(BOARD_POLL)

    def on_start(self) -> None:
        log_in(self, SEED["admin"])

    @task
    def poll(self) -> None:
        self.client.get(SEED["board"], name="live board partial (poll)")


@events.test_stop.add_listener
def write_acknowledged(**_: Any) -> None:
    with open(os.environ["BENCH_ACKNOWLEDGED_FILE"], "w") as handle:
        json.dump(ACKNOWLEDGED, handle)
