"""What the one status partial (templates/jobs/_status.html) shows of a job, in words."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from banzu.core.access import Someone
from banzu.jobs import registry
from banzu.jobs.enums import JobError, JobState
from banzu.jobs.models import Job
from banzu.jobs.registry import Text

STATUS_TEMPLATE = "jobs/_status.html"


def status_context(
    job: Job | None, kind: str, *, user: Someone, poll_url: str = ""
) -> dict[str, Any]:
    """The partial's context. It polls `poll_url` (by default the job's own status URL) every
    second while the job is queued or running."""
    spec = registry.get(job.kind if job is not None else kind)
    summary = (job.summary or {}) if job is not None else {}
    seconds_left = summary.get("seconds_left")
    if job is None:
        message = spec.text("empty")
    elif job.state == JobState.RUNNING:
        message = spec.texts.get(f"running:{summary.get('phase', '')}") or spec.text("running")
    elif job.state in (JobState.FAILED, JobState.EXPIRED):
        message = spec.text("failed")
    else:
        message = spec.text(str(job.state))
    show_error = job is not None and spec.sees_error(user, job)
    return {
        "job": job,
        "kind": spec,
        "element_id": spec.dom_id,
        "poll_url": poll_url or (reverse("jobs:status", args=[job.pk]) if job else ""),
        "message": message,
        "steps": _steps(spec, job, summary),
        "show_error": show_error,
        "failed_hint": spec.text("failed_hint"),
        "error_text": _error_text(job, show_error, spec.text("failed_hint")),
        "result_template": spec.result_template,
        "seconds_left": seconds_left,
        "minutes_left": round(seconds_left / 60) if seconds_left else None,
    }


def _error_text(job: Job | None, show_error: bool, hint: Text) -> Text:
    """What a failed job's line says after "failed": the system's reason in the reader's language
    (it names nothing private, so everyone reads it), else the cause to whom may read it."""
    if job is None:
        return ""
    if job.error_code in JobError.values:
        return JobError(job.error_code).label
    return job.error if show_error else hint


def render_status(
    request: HttpRequest, job: Job | None, kind: str = "", *, poll_url: str = ""
) -> HttpResponse:
    return render(
        request,
        STATUS_TEMPLATE,
        status_context(job, kind, user=request.user, poll_url=poll_url),
    )


def _steps(spec: registry.JobKind, job: Job | None, summary: dict[str, Any]) -> str:
    """ "3 of 40 …", in the words of the phase under way when the kind has its own for it (an
    intake that reindexes the archive counts documents, not applications)."""
    if job is None:
        return ""
    phase = summary.get("phase", "") if job.state == JobState.RUNNING else ""
    text = spec.texts.get(f"progress:{phase}") or spec.text("progress")
    return str(text % {"done": job.done, "total": job.total})
