"""The notice addresses the city associations, then the provincial professional associations, then
the provincial construction investment group: the group's seeded place (50) came before the
associations (100 by default), so lists showed it before them."""

from django.db import migrations


def reorder(apps, schema_editor):
    Recommender = apps.get_model("accounts", "Recommender")
    Recommender.objects.filter(kind="investment_group", sort_order=50).update(sort_order=900)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_mail_words_and_reset_throttle")]
    operations = [migrations.RunPython(reorder, migrations.RunPython.noop)]
