"""Jobs the worker starts by itself at an interval (the daily housekeeping, say).

A kind declares `every(kind, interval)` where it is registered; the worker's watchdog
(banzu.jobs.worker) starts a job of each kind whose last job, in any state, is older than its
interval. The jobs are ordinary jobs of the system scope: queued, journalled, heartbeated, shown
to whom their kind allows; the last one's row is the schedule's memory, so a worker restarted
every hour still runs a daily job once a day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from banzu.jobs import registry, services
from banzu.jobs.models import Job
from banzu.jobs.registry import Scope
from banzu.jobs.selectors import latest_job

SYSTEM = Scope("system", 0)


@dataclass(frozen=True)
class Periodic:
    kind: str
    interval: dt.timedelta


_periodic: dict[str, Periodic] = {}


def every(kind: str, interval: dt.timedelta) -> Periodic:
    registry.get(kind)  # a declared kind only
    periodic = _periodic[kind] = Periodic(kind, interval)
    return periodic


def periodic() -> list[Periodic]:
    return list(_periodic.values())


def start_due(now: dt.datetime | None = None) -> list[Job]:
    """Start a job of every periodic kind that is due; returns the jobs started."""
    now = now or timezone.now()
    started = []
    for item in _periodic.values():
        last = latest_job(item.kind, SYSTEM)
        if last is not None and last.created_at > now - item.interval:
            continue
        started.append(
            services.start(
                item.kind,
                SYSTEM,
                None,
                data={"every_hours": round(item.interval.total_seconds() / 3600, 2)},
            )
        )
    return started
