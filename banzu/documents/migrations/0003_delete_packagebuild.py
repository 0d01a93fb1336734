from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_copy_package_builds_to_jobs"),
    ]

    operations = [migrations.DeleteModel(name="PackageBuild")]
