"""The recommender's submission package as a background job (banzu.jobs): the kind, the one
service that starts a build, and the newest build a page shows.

The worker writes the ZIP to a temporary file, fsyncs it and renames it into the private store
(banzu.jobs.files), so a half-written ZIP is never served; a failure leaves no file. A newer
build's file replaces the older ones: the package is derived data."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Recommender, User
from banzu.core.access import Someone, is_admin, is_recommender_staff
from banzu.editions.models import Edition
from banzu.jobs import registry, services
from banzu.jobs.files import store_written
from banzu.jobs.models import Job
from banzu.jobs.registry import JobKind, Outcome, Progress, Scope
from banzu.jobs.selectors import latest_job
from banzu.recommendations.package import write_package

PACKAGE = "recommendations.package"


def package_scope(recommender: Recommender, edition: Edition) -> Scope:
    return Scope("recommender", recommender.pk, edition.pk)


def may_see_package(user: Someone, recommender_pk: int) -> bool:
    """The admin any recommender's package; a recommender's staff only their own."""
    if user is None or not user.is_authenticated:
        return False
    return is_admin(user) or (is_recommender_staff(user) and user.recommender_id == recommender_pk)


def package_of(job: Job) -> tuple[Recommender, Edition]:
    """The recommender and edition a package job is about."""
    edition = Edition.objects.get(pk=job.edition_pk or 0)
    return Recommender.objects.get(pk=job.scope_id), edition


def _build(job: Job, progress: Progress) -> Outcome:
    recommender, edition = package_of(job)
    stored = store_written(
        lambda out: write_package(
            out,
            recommender=recommender,
            edition=edition,
            progress=lambda done, total: progress(done, total),
        )
    )
    return Outcome(file=stored)


registry.register(
    JobKind(
        name=PACKAGE,
        resumable=True,
        label=_("submission package"),
        run=_build,
        can_see=lambda user, job: may_see_package(user, job.scope_id),
        sees_error=lambda user, job: is_admin(user),
        start_action="package.start",
        keep_latest_file_only=True,
        texts={
            "empty": _("No package has been built yet."),
            "queued": _("Waiting for the builder…"),
            "running": _("Building the package…"),
            "progress": _("%(done)s of %(total)s steps"),
            "failed": _("The package could not be built."),
            "failed_hint": _(
                "Try again; if it fails again, tell the provincial association, who can see the "
                "cause."
            ),
        },
        result_template="recommendations/_package_result.html",
        element_id="package-status",
    )
)


def start_build(
    *, recommender: Recommender, edition: Edition, user: User, ip: str | None = None
) -> Job:
    """Queue a build, or return the one already under way (a second click starts nothing)."""
    return services.start(
        PACKAGE,
        package_scope(recommender, edition),
        user,
        ip=ip,
        data={"recommender": recommender.pk, "edition": edition.year},
    )


def latest_build(recommender: Recommender, edition: Edition) -> Job | None:
    return latest_job(PACKAGE, package_scope(recommender, edition))
