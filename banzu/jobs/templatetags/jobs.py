from __future__ import annotations

from typing import Any

from django import template

from banzu.jobs.models import Job
from banzu.jobs.presentation import STATUS_TEMPLATE, status_context

register = template.Library()


@register.inclusion_tag(STATUS_TEMPLATE, takes_context=True)
def job_status(
    context: template.Context, job: Job | None, kind: str, poll_url: str = ""
) -> dict[str, Any]:
    """`{% job_status job "screening.scan" %}`: the one status partial, inside a page."""
    return status_context(job, kind, user=context.get("user"), poll_url=poll_url)
