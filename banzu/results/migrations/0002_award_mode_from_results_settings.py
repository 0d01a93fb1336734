"""How the award tiers are assigned moves to the edition (Edition.award_mode, which gains
"share"). Where an edition has results settings, their tier mode is the one its results were
computed with: the edition takes it. The reverse gives the settings the edition's mode back."""

from django.db import migrations


def to_edition(apps, schema_editor):
    ResultsSettings = apps.get_model("results", "ResultsSettings")
    Edition = apps.get_model("editions", "Edition")
    for settings in ResultsSettings.objects.all():
        Edition.objects.filter(pk=settings.edition_id).exclude(
            award_mode=settings.tier_mode
        ).update(award_mode=settings.tier_mode)


def to_settings(apps, schema_editor):
    ResultsSettings = apps.get_model("results", "ResultsSettings")
    for settings in ResultsSettings.objects.select_related("edition"):
        if settings.tier_mode != settings.edition.award_mode:
            settings.tier_mode = settings.edition.award_mode
            settings.save(update_fields=["tier_mode"])


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0001_initial"),
        ("editions", "0006_edition_award_mode_share"),
    ]

    operations = [migrations.RunPython(to_edition, to_settings)]
