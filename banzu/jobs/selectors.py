from __future__ import annotations

from banzu.jobs.models import Job
from banzu.jobs.registry import Scope


def latest_job(kind: str, scope: Scope) -> Job | None:
    """The newest job of this kind and scope, whatever its state."""
    return Job.objects.filter(kind=kind, scope_key=scope.key).first()
