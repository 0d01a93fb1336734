"""The results pages' rows (banzu.results): the provincial admin's alone; anonymous visitors log
in first, everyone else finds no such page (404).

The demo's event is still running, so its results cannot be computed or sealed: args() stores
the current edition's next version directly, an empty list, for the version page to show (the
other parts may have stored versions before it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from banzu.accounts.models import User
from banzu.editions.models import Edition
from banzu.results.models import ResultsVersion
from banzu.results.versions import FORMAT, digest

ROWS: dict[str, str] = {
    "results:preview": "login 404 404 404 404 404 404 200 404",
    "results:seal": "login 404 404 404 404 404 404 302 404",  # POST; refused while blocked
    "results:settings": "login 404 404 404 404 404 404 200 404",
    "results:versions": "login 404 404 404 404 404 404 200 404",
    "results:diff": "login 404 404 404 404 404 404 200 404",
    "results:version": "login 404 404 404 404 404 404 200 404",
}


def args(users: dict[str, User]) -> dict[str, dict[str, Any]]:
    edition = Edition.objects.get(is_active=True)
    payload: dict[str, Any] = {
        "format": FORMAT,
        "edition": {"id": edition.pk, "year": edition.year, "title": edition.title},
        "tiers": [],
        "settings": {"non_presenter_tier": "", "room_award": ""},
        "sheets": {"materials": [], "presentation": []},
        "rooms": {},
        "applications": {},
        "rows": [],
        "apart": [],
    }
    last = ResultsVersion.objects.filter(edition=edition).aggregate(top=Max("number"))["top"]
    version = ResultsVersion.objects.create(
        edition=edition,
        number=(last or 0) + 1,
        reason="" if last is None else "URL matrix",
        state="sealed",
        payload=payload,
        sha256=digest(payload),
        created_by=users["admin"],
    )
    return {"results:version": {"number": version.number}}
