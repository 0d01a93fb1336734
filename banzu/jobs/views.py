"""The one polling view: a job's status partial (htmx), for a user its kind lets see it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from banzu.audit.services import client_ip
from banzu.jobs.permissions import get_job_for_user_or_404
from banzu.jobs.presentation import render_status


@require_GET
def status(request: HttpRequest, pk: int) -> HttpResponse:
    """Reads only: a stale job is expired by the worker, never here. Anyone outside the job's
    scope, the anonymous included, gets 404 (a poll is no page to log in to)."""
    job = get_job_for_user_or_404(request.user, pk, ip=client_ip(request))
    return render_status(request, job)
