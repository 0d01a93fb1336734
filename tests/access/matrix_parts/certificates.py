"""The certificates' rows of the URL matrix. Certificates are issued only after the final
publication, and the demo's event is still running, so args() makes an edition of its own (the
year before the demo's first) in which the applicant's team has a published application: a
sealed results version listing it for 一等奖, its publicity published with the commendation
notice (stored directly), the certificates issued through the service and their ZIP built (the
job run at once). The applicant's own result page is that application's."""

from __future__ import annotations

from typing import Any

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.certificates import jobs, services
from banzu.jobs import services as job_services
from tests.access.matrix_world import edition_before_all, published_publicity, sealed_version

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
    edition = edition_before_all("矩阵·证书")
    application = Application.objects.create(
        edition=edition,
        team=own.team,
        recommender=own.recommender,
        created_by=users["applicant"],
        state=ApplicationState.PUBLISHED,
        experience_title=own.experience_title,
    )
    version = sealed_version(edition, admin, application, show_comments_to_applicants=True)
    published_publicity(version, admin, "浙质协〔2026〕15号")
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
