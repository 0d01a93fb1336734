"""Copy each submission-package build into banzu.jobs, with its stored file, so a built package
stays downloadable. A build still queued or running lost its task (the task now lives in
banzu.jobs), so it arrives expired."""

from django.db import migrations

STOPPED = "The job stopped without finishing (the worker was stopped)."


def copy_builds(apps, schema_editor):
    PackageBuild = apps.get_model("documents", "PackageBuild")
    Job = apps.get_model("jobs", "Job")
    for build in PackageBuild.objects.order_by("pk").iterator():
        active = build.state in ("queued", "running")
        Job.objects.create(
            kind="recommendations.package",
            scope_type="recommender",
            scope_id=build.recommender_id,
            edition_pk=build.edition_id,
            scope_key=f"recommender:{build.recommender_id}/edition:{build.edition_id}",
            exclusive=True,
            state="expired" if active else build.state,
            done=build.done,
            total=build.total,
            summary={},
            error=STOPPED if active else build.error,
            created_by_id=build.requested_by_id,
            created_at=build.created_at,
            finished_at=build.finished_at or (build.updated_at if active else None),
            updated_at=build.updated_at,
            stored_name=build.stored_name,
            size=build.size,
            sha256=build.sha256,
            original_name="",
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("jobs", "0001_initial"),
    ]

    operations = [migrations.RunPython(copy_builds, migrations.RunPython.noop)]
