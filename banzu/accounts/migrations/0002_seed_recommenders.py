"""Seed the recommenders the notice addresses: the 11 city construction associations and the
provincial construction investment group. Provincial professional associations are added by the
admin in the UI."""

from django.db import migrations

RECOMMENDERS = [
    ("杭州市建筑业协会", "杭州", "杭"),
    ("宁波市建筑业协会", "宁波", "甬"),
    ("温州市建筑业协会", "温州", "温"),
    ("嘉兴市建筑业协会", "嘉兴", "嘉"),
    ("湖州市建筑业协会", "湖州", "湖"),
    ("绍兴市建筑业协会", "绍兴", "绍"),
    ("金华市建筑业协会", "金华", "金"),
    ("衢州市建筑业协会", "衢州", "衢"),
    ("舟山市建筑业协会", "舟山", "舟"),
    ("台州市建筑业协会", "台州", "台"),
    ("丽水市建筑业协会", "丽水", "丽"),
]


def seed(apps, schema_editor):
    Recommender = apps.get_model("accounts", "Recommender")
    for order, (name, short, prefix) in enumerate(RECOMMENDERS, start=1):
        Recommender.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short,
                "number_prefix": prefix,
                "kind": "city",
                "sort_order": order,
            },
        )
    Recommender.objects.get_or_create(
        name="浙江省建设投资集团股份有限公司",
        defaults={
            "short_name": "省建投",
            "number_prefix": "建投",
            "kind": "investment_group",
            "sort_order": 50,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
