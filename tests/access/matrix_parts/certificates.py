"""The certificates' rows of the URL matrix. Certificates are issued only after the final
publication, and the demo's event is still running, so args() makes an edition of its own (the
year before the demo's first) in which the applicant's team has a published application: a
sealed results version listing it for 一等奖, its publicity published with the commendation
notice (stored directly), the certificates issued through the service and their ZIP built (the
job run at once). The applicant's own result page is that application's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Min
from django.utils import timezone

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.certificates import jobs, services
from banzu.editions.models import Edition
from banzu.jobs import services as job_services
from banzu.publicity.models import Publicity
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion

ROWS: dict[str, str] = {
    "certificates:index": "login 404 404 404 404 404 404 200 404",
    "certificates:version": "login 404 404 404 404 404 404 200 404",
    "certificates:issue": "login 404 404 404 404 404 404 302 404",
    "certificates:build_zip": "login 404 404 404 404 404 404 302 404",
    "certificates:zip_status": "login 404 404 404 404 404 404 200 404",
    "certificates:zip_download": "login 404 404 404 404 404 404 200 404",
    "certificates:revoke": "login 404 404 404 404 404 404 302 404",
    "certificates:pdf": "login 200 404 200 404 404 404 200 404",
    "certificates:mine": "login 200 200 200 200 404 404 404 404",
    "certificates:result": "login 200 404 404 404 404 404 404 404",
    "certificates:verify": "200 200 200 200 200 200 200 200 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    admin = users["admin"]
    own = Application.objects.filter(created_by=users["applicant"]).order_by("pk").first()
    assert own is not None
    first = Edition.objects.aggregate(first=Min("year"))["first"]
    edition = Edition.objects.create(
        year=first - 1,
        title=f"{first - 1}年度（矩阵·证书）",
        notice_number="矩阵",
        registration_opens_at=timezone.now() - dt.timedelta(days=400),
        recommendation_deadline=timezone.now() - dt.timedelta(days=300),
    )
    application = Application.objects.create(
        edition=edition,
        team=own.team,
        recommender=own.recommender,
        created_by=users["applicant"],
        state=ApplicationState.PUBLISHED,
        experience_title=own.experience_title,
    )
    version = ResultsVersion.objects.create(
        edition=edition,
        number=1,
        state=VersionState.SEALED,
        payload={
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
                }
            ],
            "apart": [],
            "settings": {"room_award": "", "show_comments_to_applicants": True},
            "sheets": {"materials": [], "presentation": []},
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
        notice_number="浙质协〔2026〕15号",
        notice_date=today - dt.timedelta(days=10),
    )
    (certificate,) = services.issue(version, by=admin)
    job = jobs.start_zip(version, user=admin)
    job_services.run(job.pk)
    return {
        "certificates:version": {"pk": version.pk},
        "certificates:issue": {"pk": version.pk},
        "certificates:build_zip": {"pk": version.pk},
        "certificates:zip_status": {"pk": version.pk},
        "certificates:zip_download": {"pk": job.pk},
        "certificates:revoke": {"pk": certificate.pk},
        "certificates:pdf": {"pk": certificate.pk},
        "certificates:result": {"pk": application.pk},
        "certificates:verify": {"token": certificate.token},
    }
