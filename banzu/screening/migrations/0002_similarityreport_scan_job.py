import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The report's link to the job that wrote it, now a banzu.jobs job (filled by 0003)."""

    dependencies = [
        ("jobs", "0001_initial"),
        ("screening", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="similarityreport",
            name="scan_job",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="jobs.job",
            ),
        ),
    ]
