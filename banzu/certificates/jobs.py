"""The certificates of a results version as one ZIP, built by a background job (banzu.jobs)
with progress: one PDF per valid certificate of the version. The ZIP is derived data: a newer build
replaces the older file."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import User
from banzu.certificates.models import Certificate, CertificateState
from banzu.certificates.pdf import write_zip
from banzu.core.access import is_admin
from banzu.jobs import registry, services
from banzu.jobs.files import store_written
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Outcome, Progress, Scope
from banzu.jobs.selectors import latest_job
from banzu.results.models import ResultsVersion

ZIP = "certificates.zip"


def zip_scope(version: ResultsVersion) -> Scope:
    return Scope("results_version", version.pk, version.edition_id)


def _build(job: Job, progress: Progress) -> Outcome:
    version = ResultsVersion.objects.get(pk=job.scope_id)
    certificates = list(
        Certificate.objects.filter(version=version, state=CertificateState.VALID).order_by("serial")
    )
    stored = store_written(
        lambda out: write_zip(out, certificates, progress=lambda done, total: progress(done, total))
    )
    return Outcome(file=stored, summary={"certificates": len(certificates)})


registry.register(
    JobKind(
        name=ZIP,
        resumable=True,
        label=_("certificates"),
        run=_build,
        can_see=lambda user, job: is_admin(user),
        start_action="certificates.zip_start",
        keep_latest_file_only=True,
        texts={
            "empty": _("No certificates have been generated yet."),
            "queued": _("Waiting for the worker…"),
            "running": _("Generating the certificates…"),
            "progress": _("%(done)s of %(total)s certificates"),
            "failed": _("The certificates could not be generated."),
        },
        result_template="certificates/_zip_result.html",
        element_id="certificates-zip",
    )
)


def start_zip(version: ResultsVersion, *, user: User, ip: str | None = None) -> Job:
    return services.start(
        ZIP,
        zip_scope(version),
        user,
        ip=ip,
        data={"edition": version.edition.year, "version": version.number},
    )


def latest_zip(version: ResultsVersion) -> Job | None:
    return latest_job(ZIP, zip_scope(version))
