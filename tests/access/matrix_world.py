"""What the URL matrix's parts for results, publicity, publication and certificates share: an
edition of their own before the demo's first (the demo's editions are left as the demo made them,
its 2026 event still running), a sealed results version that lists one application for 一等奖,
and the edition's publicity (open today, or already published), all stored directly."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.publicity.models import Publicity
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion


def edition_before_all(title: str) -> Edition:
    """A new edition in the year before the earliest one there is."""
    year = Edition.objects.aggregate(first=Min("year"))["first"] - 1
    return Edition.objects.create(
        year=year,
        title=f"{year}年度（{title}）",
        notice_number="矩阵",
        registration_opens_at=timezone.now() - dt.timedelta(days=400),
        recommendation_deadline=timezone.now() - dt.timedelta(days=300),
    )


def sealed_version(
    edition: Edition, admin: Any, application: Application, **settings: Any
) -> ResultsVersion:
    """Version 1, sealed: `application` ranked first, 一等奖, 87.90 = 70.40 + 17.50."""
    return ResultsVersion.objects.create(
        edition=edition,
        number=1,
        state=VersionState.SEALED,
        payload={
            "rules": {"materials_weight": 80, "presentation_weight": 20},
            "tiers": [{"name": "一等奖"}],
            "settings": {
                "notice_ranked": False,
                "room_award": "",
                "non_presenter_tier": "",
                **settings,
            },
            "sheets": {"materials": [], "presentation": []},
            "applications": {
                str(application.pk): {
                    "team": application.team.name,
                    "enterprise": application.team.enterprise.name,
                    "recommender": application.recommender.name,
                    "number": application.recommendation_number,
                    "experience": application.experience_title,
                }
            },
            "rows": [
                {
                    "application": application.pk,
                    "rank": 1,
                    "tier": "一等奖",
                    "room_award": False,
                    "materials_score": "88.00",
                    "materials_share": "70.40",
                    "presentation": "17.50",
                    "total": "87.90",
                    "materials_dropped": [],
                    "presentation_dropped": [],
                }
            ],
            "apart": [],
        },
        sha256="0" * 64,
        created_by=admin,
        sealed_by=admin,
    )


def open_publicity(version: ResultsVersion, admin: Any) -> Publicity:
    """The window opened today for ten days."""
    today = timezone.localdate()
    return Publicity.objects.create(
        edition=version.edition,
        version=version,
        starts_on=today,
        working_days=5,
        ends_on=today + dt.timedelta(days=10),
        opened_by=admin,
    )


def published_publicity(version: ResultsVersion, admin: Any, notice_number: str) -> Publicity:
    """A window that ended two weeks ago, its results published with the notice's number."""
    today = timezone.localdate()
    return Publicity.objects.create(
        edition=version.edition,
        version=version,
        starts_on=today - dt.timedelta(days=20),
        working_days=5,
        ends_on=today - dt.timedelta(days=13),
        opened_by=admin,
        closed=True,
        published=True,
        published_at=timezone.now(),
        published_by=admin,
        notice_number=notice_number,
        notice_date=today - dt.timedelta(days=10),
    )
