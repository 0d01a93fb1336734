"""banzu's `db_worker`: django-tasks' database worker (django_tasks_db, whose command this one
replaces: banzu.jobs comes first in INSTALLED_APPS), plus the watchdog of banzu.jobs.worker, so
`manage.py db_worker` as the README, the Makefile and the service unit run it also notices jobs
whose worker stopped and starts the periodic jobs. All of django-tasks' options apply."""

from __future__ import annotations

import logging
import os
from typing import Any

from django.db import DatabaseError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from banzu.jobs.worker import Watchdog, tick

logger = logging.getLogger("banzu.jobs.worker")


class Command(DatabaseWorkerCommand):
    help = (
        "Run the background worker (django-tasks' database worker) with banzu's watchdog: jobs "
        "whose worker stopped are queued again or expired, periodic jobs are started."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        reloading = options.get("reload") and not options.get("batch")
        # With the reloader, the worker runs in a child process: the watchdog goes there.
        if reloading and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            super().handle(*args, **options)
            return
        try:
            tick()  # at once: a worker that was down may have left a job behind
        except DatabaseError:  # the database is not ready yet: the watchdog's next pass retries
            logger.warning("watchdog: the first pass failed", exc_info=True)
        watchdog = Watchdog()
        watchdog.start()
        try:
            super().handle(*args, **options)
        finally:
            watchdog.stop()
