from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from banzu.accounts.models import User
from banzu.demo.builder import DEMO_LOGINS, DEMO_PASSWORD, DemoBuilder
from banzu.demo.parsecheck import parse_checks_reused


class Command(BaseCommand):
    help = "Load the demo data (development only) and print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION or not settings.DEBUG:
            raise CommandError(
                "Refusing to load demo data: these are production settings "
                "(BANZU_ENV=production or DEBUG off). Demo accounts have a published password."
            )
        if User.objects.filter(username="admin", is_demo=True).exists():
            self.stdout.write("Demo data already loaded.")
        elif User.objects.filter(username__in=[u for u, _r, _n in DEMO_LOGINS]).exists():
            raise CommandError("A non-demo account uses a demo login name; not loading the demo.")
        else:
            with transaction.atomic(), parse_checks_reused():
                DemoBuilder(out=self.stdout.write).build()
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _role, label in DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {label}")
