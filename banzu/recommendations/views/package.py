"""The submission package: start a build, poll its progress (htmx), download the ZIP.

A recommender's staff reach only their own recommender's packages, the admin any; everyone else,
including another city's staff, applicants and experts, gets 404. The ZIP is never built here:
`start` queues a background job (banzu.recommendations.jobs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import Recommender
from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core import filestore
from banzu.core.responses import download_response
from banzu.editions.resolver import edition_or_404
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.jobs.presentation import render_status
from banzu.recommendations import jobs
from banzu.recommendations.package import package_filename
from banzu.recommendations.permissions import (
    package_build_for_user_or_404,
    package_recommender_for_user_or_404,
)

actions.register("export.package")


def _status(request: HttpRequest, recommender: Recommender, build: Job | None) -> HttpResponse:
    # The panel polls the recommender's newest build, so a new build shows without a reload.
    poll_url = reverse("documents:package_status", args=[recommender.pk])
    return render_status(request, build, jobs.PACKAGE, poll_url=poll_url)


@login_required
@require_POST
def start(request: AuthenticatedHttpRequest, recommender_pk: int) -> HttpResponse:
    user = request.user
    recommender = package_recommender_for_user_or_404(user, recommender_pk, ip=client_ip(request))
    build = jobs.start_build(
        recommender=recommender, edition=edition_or_404(request), user=user, ip=client_ip(request)
    )
    if getattr(request, "htmx", False):
        return _status(request, recommender, build)
    if user.role == Role.RECOMMENDER:
        return redirect("recommendations:batch")
    return redirect(reverse("recommendations:batch_of", kwargs={"recommender_pk": recommender.pk}))


@login_required
@require_GET
def status(request: AuthenticatedHttpRequest, recommender_pk: int) -> HttpResponse:
    """htmx partial: the latest build of the current edition; it polls itself while running."""
    recommender = package_recommender_for_user_or_404(
        request.user, recommender_pk, ip=client_ip(request)
    )
    return _status(request, recommender, jobs.latest_build(recommender, edition_or_404(request)))


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    build = package_build_for_user_or_404(request.user, pk, ip=client_ip(request))
    if build.state != JobState.DONE or not build.stored_name:
        raise Http404
    path = filestore.path_for(build.stored_name)
    if not path.is_file():
        raise Http404
    recommender, edition = jobs.package_of(build)
    filename = package_filename(edition, recommender)
    record(
        action="export.package",
        actor=request.user,
        target=build,
        data={"file": filename, "edition": edition.year, "sha256": build.sha256},
        ip=client_ip(request),
    )
    return download_response(path, filename=filename, content_type="application/zip")
