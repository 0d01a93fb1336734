"""What the public sees of a publicity window: the proposed award list of the version shown."""

from __future__ import annotations

from dataclasses import dataclass

from banzu.publicity.models import Publicity
from banzu.results.versions import settings_for


@dataclass(frozen=True)
class ListedRow:
    application: int
    team: str
    enterprise: str
    experience: str
    recommender: str
    tier: str
    total: str | None


def listed_rows(publicity: Publicity) -> list[ListedRow]:
    """The proposed award list of the version shown: every team with a tier, by tier."""
    payload = publicity.version.payload
    show_scores = settings_for(publicity.edition).show_scores_in_publicity
    tiers = [tier["name"] for tier in payload.get("tiers", [])]
    apps = payload.get("applications", {})
    found = []
    room_award = payload.get("settings", {}).get("room_award") or ""
    for row in [*payload.get("rows", []), *payload.get("apart", [])]:
        # A row's room_award is a flag; the award's name is the edition's (最佳发布奖).
        names = [
            name for name in (row.get("tier"), room_award if row.get("room_award") else "") if name
        ]
        if not names:
            continue
        app = apps.get(str(row["application"]), {})
        found.append(
            ListedRow(
                application=int(row["application"]),
                team=app.get("team", ""),
                enterprise=app.get("enterprise", ""),
                experience=app.get("experience", ""),
                recommender=app.get("recommender", ""),
                tier=" · ".join(names),
                total=row.get("total") if show_scores else None,
            )
        )

    def order(row: ListedRow) -> tuple[int, int]:
        first = row.tier.split(" · ")[0]
        return (tiers.index(first) if first in tiers else len(tiers), row.application)

    return sorted(found, key=order)
