"""Who may see a job: its kind's predicate decides; for everyone else it does not exist (404)."""

from __future__ import annotations

from banzu.core.access import Someone
from banzu.core.access import deny as deny  # the package views raise it too
from banzu.jobs import registry
from banzu.jobs.models import Job


def can_see_job(user: Someone, job: Job) -> bool:
    kind = registry.find(job.kind)
    if kind is None or user is None or not user.is_authenticated or not user.is_active:
        return False
    return kind.can_see(user, job)


def get_job_for_user_or_404(user: Someone, pk: int, *, ip: str | None = None) -> Job:
    job = Job.objects.filter(pk=pk).first()
    if job is None or not can_see_job(user, job):
        raise deny(user, "job", pk, ip=ip)
    return job
