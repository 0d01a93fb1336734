"""The one background task: it runs any job (banzu.jobs.services.run)."""

from __future__ import annotations

from django_tasks import task

from banzu.jobs import services


@task()
def run_job(job_pk: int) -> str:
    return services.run(job_pk)
