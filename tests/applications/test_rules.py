from __future__ import annotations

from types import SimpleNamespace

import pytest

from banzu.applications.rules import (
    REQUIRED_DOCUMENTS,
    REQUIRED_FIELDS,
    Problem,
    enterprise_core_name,
    problems,
    team_name_carries_parent,
    team_name_parent_part,
)
from tests.factories import complete_fields

ENTERPRISE = SimpleNamespace(
    name="浙江甲建设有限公司",
    industry="房屋建筑工程",
    ownership="state",
    address="杭州",
    supervising_department="质量部",
    supervising_contact="王工",
    supervising_phone="0571-81956046",
)


def _application(**overrides):
    return SimpleNamespace(team=SimpleNamespace(name="钢筋班"), **(complete_fields() | overrides))


def test_problems_none_when_complete():
    assert problems(_application(), ENTERPRISE, REQUIRED_DOCUMENTS) == []


def test_problems_lists_everything_at_once():
    empty = _application(**dict.fromkeys(REQUIRED_FIELDS))
    empty.no_accident_declared = False
    empty.originality_pledged = False

    found = problems(empty, SimpleNamespace(**dict.fromkeys(vars(ENTERPRISE), "")), [])

    assert found == [
        *(Problem("missing_enterprise_field", name) for name in vars(ENTERPRISE)),
        *(Problem("missing_field", name) for name in REQUIRED_FIELDS),
        *(Problem("missing_document", kind) for kind in REQUIRED_DOCUMENTS),
        Problem("no_accident_declaration", "no_accident_declared"),
        Problem("originality_pledge", "originality_pledged"),
    ]


def test_problems_nonzero_accident_count_blocks():
    assert problems(_application(accident_count=1), ENTERPRISE, REQUIRED_DOCUMENTS) == [
        Problem("accidents", "accident_count")
    ]


def test_problems_zero_counts_are_not_missing():
    app = _application(nonconforming_count=0, complaint_count=0, quality_cost=0)
    assert problems(app, ENTERPRISE, REQUIRED_DOCUMENTS) == []


@pytest.mark.parametrize(
    ("team", "enterprise", "carries"),
    [
        ("浙江甲建设有限公司钢筋班", "浙江甲建设有限公司", True),
        ("浙江甲建设钢筋班", "浙江甲建设有限公司", True),
        ("浙江省建工集团第三项目部钢筋班", "浙江省建工集团有限责任公司", True),
        ("钢筋加工班", "浙江甲建设有限公司", False),
        ("甲 建设有限公司 钢筋班", "甲建设有限公司", True),
        ("测量班", "杭州测量有限公司", False),
        ("第三项目部钢筋班", "浙江甲建设有限公司", True),
        ("城东分公司测量班", "浙江甲建设有限公司", True),
        ("安全文明施工班", "浙江甲建设有限公司", False),
    ],
)
def test_team_name_carries_parent(team, enterprise, carries):
    assert team_name_carries_parent(team, enterprise) is carries


@pytest.mark.parametrize(
    ("team", "part"),
    [("第三项目部钢筋班", "第三项目部"), ("城东分公司测量班", "城东分公司"), ("钢筋班", "")],
)
def test_team_name_parent_part_names_the_unit(team, part):
    assert team_name_parent_part(team, "浙江甲建设有限公司") == part


def test_enterprise_core_name_strips_nested_suffixes():
    assert enterprise_core_name("浙江宝业建设集团有限公司") == "浙江宝业建设"
