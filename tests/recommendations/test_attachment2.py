"""Attachment 2 (推荐汇总表): the ranked rows, and the Excel file read back."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from banzu.accounts.enums import Role
from banzu.applications import services as application_services
from banzu.audit.models import AuditEntry
from banzu.editions.models import Edition
from banzu.recommendations import services
from banzu.recommendations.attachment2 import Attachment2Row, _number_key, attachment2_rows
from banzu.recommendations.exports import export_attachment2
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from tests.applications.helpers import make_complete
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "序号",
    "推荐编号",
    "单位名称",
    "班组名称",
    "经验名称",
    "班组人数",
    "联系人",
    "联系电话",
    "推荐单位评分",
    "备注",
)


def submitted_application(recommender, tmp_path, *, enterprise: str, team: str, **fields):
    application = ApplicationFactory(
        recommender=recommender,
        team=TeamFactory(name=team, enterprise=EnterpriseFactory(name=enterprise)),
    )
    application = make_complete(application, tmp_path)
    if fields:
        application = application_services.save_draft(
            application=application,
            user=application.created_by,
            fields=fields,
            honours=None,
            expected_version=application.version,
        )
    return application_services.submit_application(
        application=application, user=application.created_by
    )


def points_for(total: Decimal, rubric) -> dict[int, ItemInput]:
    """Spread a total over the rubric items, each up to its maximum."""
    items = {}
    left = total
    for item in rubric:
        given = min(left, item.max_points)
        items[item.pk] = ItemInput(points=given)
        left -= given
    assert left == 0
    return items


def score(application, scorer, total: str, *, submit=True, stage=SheetStage.RECOMMENDER):
    return save_sheet(
        application=application,
        scorer=scorer,
        stage=stage,
        items=points_for(Decimal(total), list(application.edition.rubric_items.all())),
        expected_version=None,
        submit=submit,
    )


def staff(recommender, n: int):
    return [
        UserFactory(
            username=f"{recommender.number_prefix}{i}",
            role=Role.RECOMMENDER,
            recommender=recommender,
        )
        for i in range(n)
    ]


@pytest.fixture
def ranked(open_edition, hangzhou, ningbo, recommender_hz, recommender_nb, tmp_path):
    """Four recommended (A 001, B 002, C 003, D 004), one submitted, one declined, one of 宁波."""
    s1, s2 = staff(hangzhou, 2)

    def make(enterprise, team, **fields):
        return submitted_application(hangzhou, tmp_path, enterprise=enterprise, team=team, **fields)

    a = make("浙江甲建设有限公司", "钢筋班")
    b = make(
        "浙江乙建设有限公司",
        "木工班",
        experience_title="BIM 助力模板一次成型",
        member_count=8,
        contact_name="王芳",
        contact_phone="0571-81956046",
    )
    c = make("浙江丙建设有限公司", "测量班")
    d = make("浙江丁建设有限公司", "安装班")
    e = make("浙江戊建设有限公司", "电工班")
    f = make("浙江己建设有限公司", "焊工班")
    for application in (a, b, c, d):
        services.recommend_application(application=application, actor=recommender_hz)
    services.decline_application(application=f, actor=recommender_hz, reason="名额有限")
    score(a, s1, "80")
    score(a, s2, "85.5")
    score(b, s1, "90")
    score(c, s1, "70", submit=False)  # a draft sheet does not count
    score(c, s2, "99", stage=SheetStage.MATERIALS)  # nor does another stage
    score(d, s1, "95")
    score(d, s2, "85")
    score(e, s1, "99")  # scored but not recommended
    n = submitted_application(ningbo, tmp_path, enterprise="宁波甲建设有限公司", team="桩基班")
    services.recommend_application(application=n, actor=recommender_nb)
    score(n, recommender_nb, "100")
    return {"a": a, "b": b, "c": c, "d": d}


def _row(position, application, number, score_value, **overrides):
    values = {
        "position": position,
        "application_pk": application.pk,
        "recommendation_number": number,
        "enterprise_name": application.team.enterprise.name,
        "team_name": application.team.name,
        "experience_title": "以精细化管理提升钢筋加工一次合格率",
        "member_count": 12,
        "contact_name": "李明",
        "contact_phone": "13605792309",
        "preliminary_score": score_value,
        "remarks": "",
    }
    values.update(overrides)
    return Attachment2Row(**values)


def test_rows_ranked_by_preliminary_score_then_number(ranked, open_edition, hangzhou):
    rows = attachment2_rows(hangzhou, open_edition)

    b_fields = {
        "experience_title": "BIM 助力模板一次成型",
        "member_count": 8,
        "contact_name": "王芳",
        "contact_phone": "0571-81956046",
    }
    assert rows == [
        _row(1, ranked["b"], "杭-2026-002", Decimal("90.00"), **b_fields),
        _row(2, ranked["d"], "杭-2026-004", Decimal("90.00")),
        _row(3, ranked["a"], "杭-2026-001", Decimal("82.75")),
        _row(4, ranked["c"], "杭-2026-003", None),
    ]


def test_rows_of_the_other_recommender_are_its_own(ranked, open_edition, ningbo):
    rows = attachment2_rows(ningbo, open_edition)

    assert [(r.recommendation_number, r.team_name, r.preliminary_score) for r in rows] == [
        ("甬-2026-001", "桩基班", Decimal("100.00"))
    ]


def test_preliminary_score_drops_highest_and_lowest_from_five_sheets(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    application = submitted_application(
        hangzhou, tmp_path, enterprise="浙江甲建设有限公司", team="钢筋班"
    )
    services.recommend_application(application=application, actor=recommender_hz)
    for scorer, total in zip(staff(hangzhou, 5), ["60", "70", "80", "90.5", "100"], strict=True):
        score(application, scorer, total)

    (row,) = attachment2_rows(hangzhou, open_edition)

    # (70 + 80 + 90.5) / 3 = 80.1666… → 80.17, rounded half up once at the end
    assert row.preliminary_score == Decimal("80.17")


def test_rows_ignore_another_editions_applications(ranked, open_edition, hangzhou):
    other = Edition.objects.create(
        year=2027,
        title="2027",
        notice_number="x",
        registration_opens_at=open_edition.registration_opens_at,
        recommendation_deadline=open_edition.recommendation_deadline,
    )

    assert attachment2_rows(hangzhou, other) == []


def test_rows_sort_sequence_numbers_numerically():
    assert sorted(["杭-2026-1000", "杭-2026-999", "杭-2026-001"], key=_number_key) == [
        "杭-2026-001",
        "杭-2026-999",
        "杭-2026-1000",
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_rows_take_two_queries_whatever_the_count(
    count, open_edition, hangzhou, recommender_hz, tmp_path, django_assert_num_queries
):
    (s1,) = staff(hangzhou, 1)
    for i in range(count):
        application = submitted_application(
            hangzhou, tmp_path, enterprise=f"浙江{i}建设有限公司", team=f"{i}号班"
        )
        services.recommend_application(application=application, actor=recommender_hz)
        score(application, s1, "80")
        score(application, recommender_hz, "81")

    with django_assert_num_queries(2):
        rows = attachment2_rows(hangzhou, open_edition)

    assert [r.preliminary_score for r in rows] == [Decimal("80.50")] * count


def test_excel_reads_back_with_title_header_and_rows(
    ranked, open_edition, hangzhou, recommender_hz
):
    filename, content = export_attachment2(
        recommender=hangzhou,
        edition=open_edition,
        user=recommender_hz,
        ip="10.0.0.7",
        today=dt.date(2026, 4, 25),
    )

    assert filename == "附件2_推荐汇总表_2026_杭州.xlsx"
    sheet = load_workbook(io.BytesIO(content)).active
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert (values[0][0], values[1][0]) == (
        "附件2",
        "2026 年度浙江省工程建设质量信得过班组典型经验推荐汇总表",
    )
    assert (values[2][0], values[2][5]) == (
        "推荐单位（盖章）：杭州市建筑业协会",
        "填报日期：2026年4月25日",
    )
    assert values[3] == HEADER
    a, b, c, d = (ranked[k] for k in "abcd")
    title = "以精细化管理提升钢筋加工一次合格率"
    assert values[4:] == [
        (
            1,
            "杭-2026-002",
            b.team.enterprise.name,
            "木工班",
            "BIM 助力模板一次成型",
            8,
            "王芳",
            "0571-81956046",
            90,
            None,
        ),
        (
            2,
            "杭-2026-004",
            d.team.enterprise.name,
            "安装班",
            title,
            12,
            "李明",
            "13605792309",
            90,
            None,
        ),
        (
            3,
            "杭-2026-001",
            a.team.enterprise.name,
            "钢筋班",
            title,
            12,
            "李明",
            "13605792309",
            82.75,
            None,
        ),
        (
            4,
            "杭-2026-003",
            c.team.enterprise.name,
            "测量班",
            title,
            12,
            "李明",
            "13605792309",
            None,
            None,
        ),
    ]


def test_excel_layout_bold_wrapped_frozen_header(ranked, open_edition, hangzhou, recommender_hz):
    _filename, content = export_attachment2(
        recommender=hangzhou, edition=open_edition, user=recommender_hz
    )

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "附件2"
    assert sheet.freeze_panes == "A5"
    assert sorted(str(r) for r in sheet.merged_cells.ranges) == [
        "A1:J1",
        "A2:J2",
        "A3:E3",
        "F3:J3",
    ]
    assert [sheet.cell(row=4, column=c).font.b for c in range(1, 11)] == [True] * 10
    assert [sheet.cell(row=5, column=c).alignment.wrap_text for c in range(1, 11)] == [True] * 10
    assert [sheet.column_dimensions[col].width for col in "ABCDEFGHIJ"] == [
        7.5,
        15.5,
        26,
        17,
        25.5,
        12,
        11,
        18.5,
        16.5,
        13.5,
    ]
    assert sheet["I5"].number_format == "0.00"
    assert sheet.page_setup.orientation == "landscape"


def test_excel_of_an_empty_batch_has_only_the_header(open_edition, hangzhou, recommender_hz):
    _filename, content = export_attachment2(
        recommender=hangzhou, edition=open_edition, user=recommender_hz
    )

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.max_row == 4
    assert tuple(c.value for c in sheet[4]) == HEADER


def test_export_is_recorded_in_the_journal(ranked, open_edition, hangzhou, recommender_hz):
    export_attachment2(
        recommender=hangzhou, edition=open_edition, user=recommender_hz, ip="10.0.0.7"
    )

    entry = AuditEntry.objects.order_by("-seq").first()
    assert (
        entry.action,
        entry.actor_id,
        entry.target_type,
        entry.target_id,
        entry.data,
        entry.ip,
    ) == (
        "export.attachment2",
        recommender_hz.pk,
        "accounts.recommender",
        hangzhou.pk,
        {"edition": 2026, "format": "xlsx"},
        "10.0.0.7",
    )
