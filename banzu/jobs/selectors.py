from __future__ import annotations

from banzu.jobs.models import Job
from banzu.jobs.registry import Scope


def latest_job(kind: str, scope: Scope) -> Job | None:
    """The newest job of this kind and scope, whatever its state."""
    return Job.objects.filter(kind=kind, scope_key=scope.key).first()


def stored_names() -> set[str]:
    """Every file a job row points at (for the file store's checker)."""
    return set(Job.objects.exclude(stored_name="").values_list("stored_name", flat=True))
