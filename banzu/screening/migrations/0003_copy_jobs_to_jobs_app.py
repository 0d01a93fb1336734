"""Copy the screening's jobs (scans, checks, archive imports) into banzu.jobs, so the workspace
still shows the last scan's figures, and point each report at the copy of the job that wrote it.
A job still queued or running lost its task (the task now lives in banzu.jobs), so it arrives
expired."""

from django.db import migrations

KINDS = {
    "scan": "screening.scan",
    "checks": "screening.checks",
    "archive_import": "screening.archive_import",
}
STOPPED = "The job stopped without finishing (the worker was stopped)."


def copy_jobs(apps, schema_editor):
    Old = apps.get_model("screening", "Job")
    New = apps.get_model("jobs", "Job")
    SimilarityReport = apps.get_model("screening", "SimilarityReport")
    for old in Old.objects.order_by("pk").iterator():
        active = old.state in ("queued", "running")
        new = New.objects.create(
            kind=KINDS[old.kind],
            scope_type="edition",
            scope_id=old.edition_id,
            edition_pk=old.edition_id,
            scope_key=f"edition:{old.edition_id}",
            exclusive=old.kind != "archive_import",
            state="expired" if active else old.state,
            done=old.done,
            total=old.total,
            summary=old.summary,
            error=STOPPED if active else old.error,
            created_by_id=old.requested_by_id,
            created_at=old.created_at,
            started_at=old.started_at,
            finished_at=old.finished_at or (old.updated_at if active else None),
            updated_at=old.updated_at,
            # An import's uploaded ZIP was deleted when it ended; one cut short still has it.
            stored_name=old.upload_name if active else "",
        )
        SimilarityReport.objects.filter(job_id=old.pk).update(scan_job_id=new.pk)


class Migration(migrations.Migration):
    dependencies = [
        ("screening", "0002_similarityreport_scan_job"),
    ]

    operations = [migrations.RunPython(copy_jobs, migrations.RunPython.noop)]
