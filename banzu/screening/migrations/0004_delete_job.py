from django.db import migrations


class Migration(migrations.Migration):
    """The screening's own job model gives way to banzu.jobs (copied by 0003)."""

    dependencies = [
        ("screening", "0003_copy_jobs_to_jobs_app"),
    ]

    operations = [
        migrations.RemoveField(model_name="similarityreport", name="job"),
        migrations.RenameField(model_name="similarityreport", old_name="scan_job", new_name="job"),
        migrations.DeleteModel(name="Job"),
    ]
