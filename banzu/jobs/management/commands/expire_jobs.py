from typing import Any

from django.core.management.base import BaseCommand

from banzu.jobs.services import expire_stale


class Command(BaseCommand):
    help = (
        "Deal with the background jobs whose worker stopped: queue the resumable ones again, "
        "expire the others (the worker's watchdog does it every few seconds too)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        swept = expire_stale()
        self.stdout.write(f"{swept.expired} stale job(s) expired.")
        if swept.resumed:
            self.stdout.write(f"{swept.resumed} job(s) queued again.")
