"""The submission package: start a build, poll its progress (htmx), download the ZIP.

A recommender's staff reach only their own recommender's packages, the admin any; everyone else,
including another city's staff, applicants and experts, gets 404. The ZIP is never built here:
`start` queues a background task (banzu.documents.tasks)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender
from banzu.audit.services import client_ip, record
from banzu.core import filestore
from banzu.core.responses import download_response
from banzu.documents import tasks
from banzu.documents.models import PackageBuild, PackageState
from banzu.documents.package import package_filename
from banzu.documents.views import deny
from banzu.editions.models import Edition
from banzu.editions.selectors import get_current_edition

STATUS_TEMPLATE = "documents/_package_status.html"


def _in_scope(user: Any, recommender_pk: int) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.RECOMMENDER and user.recommender_id == recommender_pk


def package_recommender_for_user_or_404(
    user: Any, recommender_pk: int, *, ip: str | None = None
) -> Recommender:
    """The recommender whose package the user may build and fetch; 404 outside that scope."""
    if not _in_scope(user, recommender_pk):
        raise deny(user, "package recommender", recommender_pk, ip)
    recommender = Recommender.objects.filter(pk=recommender_pk).first()
    if recommender is None:
        raise Http404
    return recommender


def package_build_for_user_or_404(user: Any, pk: int, *, ip: str | None = None) -> PackageBuild:
    build = PackageBuild.objects.select_related("recommender", "edition").filter(pk=pk).first()
    if build is None or not _in_scope(user, build.recommender_id):
        raise deny(user, "package", pk, ip)
    return build


def _current_edition() -> Edition:
    edition = get_current_edition()
    if edition is None:
        raise Http404
    return edition


def _status(
    request: HttpRequest, recommender: Recommender, build: PackageBuild | None
) -> HttpResponse:
    return render(request, STATUS_TEMPLATE, {"recommender": recommender, "build": build})


@login_required
@require_POST
def start(request: HttpRequest, recommender_pk: int) -> HttpResponse:
    user: Any = request.user
    recommender = package_recommender_for_user_or_404(user, recommender_pk)
    build = tasks.start_build(
        recommender=recommender, edition=_current_edition(), user=user, ip=client_ip(request)
    )
    if getattr(request, "htmx", False):
        return _status(request, recommender, build)
    if user.role == Role.RECOMMENDER:
        return redirect("recommendations:batch")
    return redirect(reverse("recommendations:batch_of", kwargs={"recommender_pk": recommender.pk}))


@login_required
@require_GET
def status(request: HttpRequest, recommender_pk: int) -> HttpResponse:
    """htmx partial: the latest build of the current edition; it polls itself while running."""
    recommender = package_recommender_for_user_or_404(
        request.user, recommender_pk, ip=client_ip(request)
    )
    edition = _current_edition()
    tasks.expire_stale(recommender, edition)
    return _status(request, recommender, tasks.latest_build(recommender, edition))


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> FileResponse:
    build = package_build_for_user_or_404(request.user, pk, ip=client_ip(request))
    if build.state != PackageState.DONE or not build.stored_name:
        raise Http404
    path = filestore.path_for(build.stored_name)
    if not path.is_file():
        raise Http404
    filename = package_filename(build.edition, build.recommender)
    record(
        action="export.package",
        actor=request.user,
        target=build,
        data={"file": filename, "edition": build.edition.year, "sha256": build.sha256},
        ip=client_ip(request),
    )
    return download_response(path, filename=filename, content_type="application/zip")
