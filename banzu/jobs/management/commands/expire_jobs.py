from typing import Any

from django.core.management.base import BaseCommand

from banzu.jobs.services import expire_stale


class Command(BaseCommand):
    help = "Mark expired the background jobs whose worker stopped (the worker does it too)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = expire_stale()
        self.stdout.write(f"{count} stale job(s) expired.")
