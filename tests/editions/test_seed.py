"""The 2026 edition and the recommenders come from the notice, by data migration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from banzu.accounts.models import Recommender
from banzu.editions.models import Edition

NOTICE = Path(__file__).resolve().parents[2] / "docs" / "notice-2026.txt"

pytestmark = pytest.mark.django_db


def _notice_rubric_rows() -> list[list[str]]:
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line[:2] in {"1\t", "2\t", "3\t", "4\t", "5\t"}]


def test_edition_2026_matches_the_notice():
    edition = Edition.objects.get(year=2026)
    assert (edition.title, edition.notice_number, edition.is_active) == (
        "2026年工程建设质量信得过班组活动",
        "浙工质协〔2026〕4号",
        True,
    )
    assert edition.recommendation_deadline == dt.datetime(
        2026, 4, 27, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai")
    )
    assert (edition.materials_weight, edition.presentation_weight) == (80, 20)
    assert (edition.aggregation_rule, edition.trim_min_experts) == ("trimmed_mean", 5)
    assert [t.name for t in edition.award_tiers.all()] == ["一等奖", "二等奖", "三等奖"]


def test_rubric_items_are_attachment_3_verbatim():
    edition = Edition.objects.get(year=2026)
    rows = _notice_rubric_rows()
    items = list(edition.rubric_items.all())

    assert [(i.position, i.title, i.max_points) for i in items] == [
        (1, "需求确定", Decimal("15")),
        (2, "建设策划", Decimal("25")),
        (3, "建设过程", Decimal("30")),
        (4, "建设成效", Decimal("15")),
        (5, "特色", Decimal("15")),
    ]
    for item, row in zip(items, rows, strict=True):
        assert item.title == row[1]
        # One sub-criterion a line; joined back with the notice's spaces it is the notice's text.
        assert " ".join(item.criteria_lines()) == row[2]
    assert edition.rubric_total == Decimal("100")


def test_recommenders_seeded():
    cities = [
        "杭州",
        "宁波",
        "温州",
        "嘉兴",
        "湖州",
        "绍兴",
        "金华",
        "衢州",
        "舟山",
        "台州",
        "丽水",
    ]
    city_names = list(Recommender.objects.filter(kind="city").values_list("short_name", flat=True))
    assert city_names == cities
    assert Recommender.objects.get(kind="investment_group").name == "浙江省建设投资集团股份有限公司"
    assert Recommender.objects.get(short_name="杭州").number_prefix == "杭"


def test_presentation_sheet_2026_has_five_items_adding_to_the_weight_20():
    edition = Edition.objects.get(year=2026)

    items = list(edition.presentation_items.values_list("position", "title", "max_points"))

    assert edition.presentation_sheet_source == "own_items"
    assert items == [
        (1, "内容与典型经验", Decimal("6")),
        (2, "成果与数据", Decimal("4")),
        (3, "表达与逻辑", Decimal("4")),
        (4, "演示材料", Decimal("3")),
        (5, "时间控制与答辩", Decimal("3")),
    ]
    assert sum(points for _, _, points in items) == edition.presentation_weight == 20
    assert all(item.text.strip() for item in edition.presentation_items.all())
