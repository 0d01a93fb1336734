"""The contact persons of the 2026 notice (浙工质协〔2026〕4号), for the log-in page. Next year's
edition takes its own from its notice, on the edition page."""

from django.db import migrations

CONTACTS_2026 = "邓刚 0571-81956046 13605792309\n蔡瑞琛 0571-81956271 13738065455"


def seed(apps, schema_editor):
    Edition = apps.get_model("editions", "Edition")
    Edition.objects.filter(year=2026, contacts="").update(contacts=CONTACTS_2026)


class Migration(migrations.Migration):
    dependencies = [("editions", "0007_edition_contacts")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
