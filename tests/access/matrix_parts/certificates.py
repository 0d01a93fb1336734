"""The certificates' rows of the URL matrix. args() seals a results version of the demo's 2026
edition in which the applicant's 杭州 application won 一等奖, issues its certificates and builds
their ZIP (the job run at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max

from banzu.applications.models import Application
from banzu.certificates import jobs, services
from banzu.jobs import services as job_services
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
    "certificates:verify": "200 200 200 200 200 200 200 200 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    admin = users["admin"]
    application = Application.objects.filter(created_by=users["applicant"]).order_by("pk").first()
    assert application is not None
    edition = application.edition
    last = ResultsVersion.objects.filter(edition=edition).aggregate(top=Max("number"))["top"]
    # Far above the numbers other parts give their own versions (some start at 1).
    version = ResultsVersion.objects.create(
        edition=edition,
        number=(last or 0) + 50,
        state=VersionState.SEALED,
        payload={
            "rows": [{"application": application.pk, "rank": 1, "tier": "一等奖"}],
            "apart": [],
            "settings": {"room_award": ""},
        },
        sha256="0" * 64,
        created_by=admin,
        sealed_by=admin,
        reason="matrix",
    )
    (certificate,) = services.issue(
        version, by=admin, notice_number="浙质协〔2026〕15号", issued_on=dt.date(2026, 12, 8)
    )
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
        "certificates:verify": {"token": certificate.token},
    }
