from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("editions", "0005_award_tier_share_percent"),
    ]

    operations = [
        migrations.AlterField(
            model_name="edition",
            name="award_mode",
            field=models.CharField(
                choices=[
                    ("quota", "By rank quota"),
                    ("threshold", "By score threshold"),
                    ("share", "By share of the ranked teams (%)"),
                ],
                default="quota",
                max_length=20,
                verbose_name="award tiers assigned",
            ),
        ),
    ]
