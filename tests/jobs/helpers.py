"""Job rows as the worker would have left them (the state set directly, as a test fixture)."""

from __future__ import annotations

from typing import Any

from banzu.jobs.models import Job
from banzu.jobs.registry import Scope


def make_job(kind: str, scope: Scope, by: Any, **fields: Any) -> Job:
    return Job.objects.create(
        kind=kind,
        scope_type=scope.type,
        scope_id=scope.id,
        edition_pk=scope.edition_pk,
        scope_key=scope.key,
        created_by=by,
        **fields,
    )
