"""Seed the 2026 edition from the notice 浙工质协〔2026〕4号 (docs/notice-2026.txt).

The rubric's sub-criteria are Attachment 3's text, verbatim, one sub-criterion a line.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations

SHANGHAI = ZoneInfo("Asia/Shanghai")

RUBRIC_2026 = [
    (
        1,
        "需求确定",
        "1) 班组在生产或服务中的定位明确, 职责和任务清晰, 与企业发展需要相适应。\n2) 内部顾客、外部顾客和其他相关方识别全面, 关键顾客和其他相关方确定准确, 确定过程有依据;\n3) 关键顾客和其他相关方需求识别有相应方法, 关键需求清晰、具体",
        15,
    ),
    (
        2,
        "建设策划",
        "1) 依据关键需求, 基于班组能力评估, 识别差距, 确定关键改进工作;\n2) 关键改进工作具体、可落实、有针对性;\n3) 班组建设计划清晰具体, 可实施性强;\n4) 目标和测量指标综合考虑班组建设目标和年度工作目标, 并定期监测;\n5) 班组建设目标清晰, 并与关键改进工作相对应",
        25,
    ),
    (
        3,
        "建设过程",
        "1) 班组开展质量文化建设并形成文化理念, 通过各种形式提高班组成员质量意识和精益求精的工作态度, 营造良好氛围;\n2) 班组采取灵活有效的方式, 通过能力评估, 形成可实施的能力提升方案, 通过实施, 提升班组成员能力;\n3) 班组按照建设计划, 完善基础管理工作, 包括产品或服务质量管理、顾客关系管理、任务管理、质量协同及其他管理等;\n4) 班组灵活开展形式多样的改进与创新活动, 并形成相应的管理制度、办法; 活动成果得到有效推广应用\n(5) 班组安全生产、环保等方面符合企业管理体系要求。",
        30,
    ),
    (
        4,
        "建设成效",
        "1) 班组建设目标达成, 测量指标结果良好, 对比结果领先;\n2) 顾客和其他相关方等外部评价结果良好, 评价材料客观、有依据;\n3) 班组和班组成员近三年取得的相关荣誉。",
        15,
    ),
    (
        5,
        "特色",
        "1) 程序严谨, 系统性、逻辑性强;\n2) 形成特色鲜明、具有推广应用价值的最佳实践;\n3) 数据、信息翔实充分",
        15,
    ),
]


def seed(apps, schema_editor):
    Edition = apps.get_model("editions", "Edition")
    RubricItem = apps.get_model("editions", "RubricItem")
    AwardTier = apps.get_model("editions", "AwardTier")
    if Edition.objects.filter(year=2026).exists():
        return
    edition = Edition.objects.create(
        year=2026,
        title="2026年工程建设质量信得过班组活动",
        notice_number="浙工质协〔2026〕4号",
        notice_date=dt.date(2026, 3, 12),
        registration_opens_at=dt.datetime(2026, 3, 12, 0, 0, tzinfo=SHANGHAI),
        # "2026 年 4 月 27 日前", read as the end of that day in Zhejiang.
        recommendation_deadline=dt.datetime(2026, 4, 27, 23, 59, 59, tzinfo=SHANGHAI),
        materials_weight=80,
        presentation_weight=20,
        aggregation_rule="trimmed_mean",
        trim_min_experts=5,
        award_mode="quota",
        is_active=True,
    )
    for position, title, criteria, max_points in RUBRIC_2026:
        RubricItem.objects.create(
            edition=edition,
            position=position,
            title=title,
            criteria=criteria,
            max_points=Decimal(max_points),
        )
    for position, name in enumerate(["一等奖", "二等奖", "三等奖"], start=1):
        AwardTier.objects.create(edition=edition, position=position, name=name)


class Migration(migrations.Migration):
    dependencies = [("editions", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
