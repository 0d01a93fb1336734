"""What the recorded draw costs for a room of 35 teams (a national event's room) and of 300 (a
whole edition in one room), beside Python's random.Random(seed).shuffle, the named alternative
the draw does not use because its algorithm is a CPython detail rather than a published one.

Run: .venv/bin/python bench/draw.py [--repeat 200]

For each size prints the median of `repeat` timings of: draw() end to end (canonical sort, JSON
hash, SHA-256 stream, Fisher–Yates), the shuffle alone (banzu's `shuffled`), verify() of the
record, and random.Random(seed).shuffle on a list of the same ids (seeding included).
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from banzu.presentations.draw import Team, draw, shuffled, verify  # noqa: E402

SIZES = (35, 300)


def median_us(action: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


def python_random(ids: list[int], seed: str) -> None:
    random.Random(seed).shuffle(list(ids))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat

    seed = secrets.token_hex(32)
    rows = []
    for size in SIZES:
        teams = [Team(1000 + 7 * k, f"ZJ-2026-{k:03d}") for k in range(size)]
        canonical = tuple(teams)
        record = draw(teams, seed=seed)
        ids = [team.id for team in teams]

        rows.append(
            (
                size,
                median_us(partial(draw, teams, seed=seed), repeat),
                median_us(partial(shuffled, canonical, seed), repeat),
                median_us(partial(verify, record, teams), repeat),
                median_us(partial(python_random, ids, seed), repeat),
            )
        )

    print(f"median of {repeat} runs, microseconds, Python {sys.version.split()[0]}")
    header = ("teams", "draw()", "shuffle only", "verify()", "random.Random.shuffle")
    print(f"{header[0]:>6} {header[1]:>10} {header[2]:>13} {header[3]:>10} {header[4]:>22}")
    for size, full, core, check, alternative in rows:
        print(f"{size:>6} {full:>10.1f} {core:>13.1f} {check:>10.1f} {alternative:>22.1f}")
    for size, full, _core, _check, alternative in rows:
        print(f"{size} teams: draw() takes {full / alternative:.1f}× random.Random(seed).shuffle")


if __name__ == "__main__":
    main()
