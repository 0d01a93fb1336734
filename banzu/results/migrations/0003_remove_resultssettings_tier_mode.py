from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("results", "0002_award_mode_from_results_settings"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="resultssettings",
            name="tier_mode",
        ),
    ]
