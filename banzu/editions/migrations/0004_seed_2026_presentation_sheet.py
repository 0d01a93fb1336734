"""Seed the 2026 edition's presentation score sheet.

The notice (§三(五)) says the panel scores the presentation "by the evaluation standard" but
prints no sheet for it: the sheet is the association's to set. These five items are a start
that the admin changes on the edition's page; they add up to the presentation weight, 20.
"""

from decimal import Decimal

from django.db import migrations

SHEET_2026 = [
    (
        1,
        "内容与典型经验",
        "发布内容与申报材料一致, 聚焦班组建设的关键需求、改进过程和典型经验;\n"
        "经验提炼到位, 具有示范性和推广价值。",
        6,
    ),
    (
        2,
        "成果与数据",
        "建设成效有数据支撑, 指标前后对比清楚、来源可靠;\n成果真实可信, 效益表述客观。",
        4,
    ),
    (
        3,
        "表达与逻辑",
        "发布思路清晰, 层次分明, 逻辑严谨;\n语言准确流畅, 重点突出, 仪态自然。",
        4,
    ),
    (
        4,
        "演示材料",
        "PPT 与发布内容相符, 结构清楚, 图表规范易读;\n版面简洁美观, 无明显差错。",
        3,
    ),
    (
        5,
        "时间控制与答辩",
        "在规定时间内完成发布;\n回答专家提问准确、简明, 体现班组成员对成果的掌握。",
        3,
    ),
]


def seed(apps, schema_editor):
    Edition = apps.get_model("editions", "Edition")
    PresentationItem = apps.get_model("editions", "PresentationItem")
    edition = Edition.objects.filter(year=2026).first()
    if edition is None or PresentationItem.objects.filter(edition=edition).exists():
        return
    for position, title, text, max_points in SHEET_2026:
        PresentationItem.objects.create(
            edition=edition,
            position=position,
            title=title,
            text=text,
            max_points=Decimal(max_points),
        )


class Migration(migrations.Migration):
    dependencies = [("editions", "0003_presentation_sheet")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
