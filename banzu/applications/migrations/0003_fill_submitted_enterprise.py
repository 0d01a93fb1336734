"""Applications submitted before the snapshot existed keep the enterprise's details as they are
now: the nearest record of what they were submitted with."""

from django.db import migrations

FIELDS = (
    "name",
    "industry",
    "ownership",
    "address",
    "supervising_department",
    "supervising_contact",
    "supervising_phone",
)


def fill(apps, schema_editor):
    Application = apps.get_model("applications", "Application")
    pending = (
        Application.objects.filter(submitted_at__isnull=False, submitted_enterprise={})
        .exclude(state__in=("draft", "withdrawn"))
        .select_related("team__enterprise")
    )
    for application in pending.iterator():
        enterprise = application.team.enterprise
        application.submitted_enterprise = {
            name: str(getattr(enterprise, name) or "") for name in FIELDS
        }
        application.save(update_fields=["submitted_enterprise"])


class Migration(migrations.Migration):
    dependencies = [("applications", "0002_application_submitted_enterprise")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
