"""The final publication's downloads (banzu.publicity.downloads). The commendation notice is
public once published (a room secretary is outside it: 404); the full results workbook is the
provincial admin's alone; a region's workbook is each recommender's own (the admin names the
region with ?recommender=, so without it the admin finds none: 404).

args() makes an edition of its own (the year before the earliest, as the publicity part does)
with a sealed version that ranks the applicant's 杭州 application 一等奖 and a publicity already
published (stored directly: the demo's own edition is still at its event)."""

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

ROWS: dict[str, str] = {
    "publicity:commendation": "200 200 200 200 200 200 200 200 404",
    "publicity:results_xlsx": "login 404 404 404 404 404 404 200 404",
    "publicity:region_xlsx": "login 404 404 200 200 404 404 404 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    admin = users["admin"]
    application = Application.objects.filter(created_by=users["applicant"]).order_by("pk").first()
    assert application is not None
    first = Edition.objects.aggregate(first=Min("year"))["first"]
    edition = Edition.objects.create(
        year=first - 1,
        title=f"{first - 1}年度（矩阵，已公布）",
        notice_number="矩阵",
        registration_opens_at=timezone.now() - dt.timedelta(days=300),
        recommendation_deadline=timezone.now() - dt.timedelta(days=200),
    )
    version = ResultsVersion.objects.create(
        edition=edition,
        number=1,
        state=VersionState.SEALED,
        payload={
            "rules": {"materials_weight": 80, "presentation_weight": 20},
            "tiers": [{"name": "一等奖"}],
            "settings": {"notice_ranked": False, "room_award": "", "non_presenter_tier": ""},
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
    today = timezone.localdate()
    Publicity.objects.create(
        edition=edition,
        version=version,
        starts_on=today - dt.timedelta(days=20),
        working_days=5,
        ends_on=today - dt.timedelta(days=13),
        opened_by=admin,
        closed=True,
        published=True,
        published_at=timezone.now(),
        published_by=admin,
        notice_number="浙建质协〔矩阵〕1号",
        notice_date=today,
    )
    return {
        "publicity:commendation": {"year": edition.year, "fmt": "pdf"},
        "publicity:results_xlsx": {"year": edition.year},
        "publicity:region_xlsx": {"year": edition.year},
    }
