"""The worker's watchdog: a thread beside django-tasks' worker loop (started by banzu's
`db_worker`) that, every SWEEP_SECONDS, deals with the jobs whose worker stopped
(services.expire_stale: queued again or expired) and starts the periodic jobs that are due
(banzu.jobs.schedule). A job killed with its worker is so noticed within a minute, by this worker
or the next one to start, even when no one starts another job."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import DatabaseError, close_old_connections, connections

from banzu.jobs import schedule, services

logger = logging.getLogger(__name__)


def tick(now: dt.datetime | None = None) -> services.Swept:
    """One pass of the watchdog."""
    swept = services.expire_stale(now=now)
    if swept.expired or swept.resumed:
        logger.warning(
            "watchdog: %s stopped job(s) expired, %s queued again", swept.expired, swept.resumed
        )
    schedule.start_due(now)
    return swept


class Watchdog:
    def __init__(self, every: float | None = None) -> None:
        self.every = services.SWEEP_SECONDS if every is None else every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="job-watchdog", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            while not self._stopping.wait(self.every):
                close_old_connections()  # a restarted database, a connection past its age
                try:
                    tick()
                except DatabaseError:  # a busy or restarting database: the next pass retries
                    logger.warning("watchdog: the pass failed", exc_info=True)
                except Exception:
                    logger.exception("watchdog: the pass failed")
        finally:
            connections.close_all()
