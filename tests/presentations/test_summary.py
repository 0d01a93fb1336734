"""Each room's score summary for the chair and the panel to sign: its table of teams × panel
members in PDF and Excel, and who may download it when."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.audit.models import AuditEntry
from banzu.documents.model import Line, Table
from banzu.presentations.enums import RoomState
from banzu.presentations.models import Room
from banzu.presentations.results import room_results
from banzu.presentations.summary import room_document
from tests.conftest import client_for
from tests.presentations.test_event_results import score_world

D = Decimal
TODAY = dt.date(2026, 12, 10)


@pytest.fixture
def scored(world):
    return score_world(world)


def _url(room: Room, fmt: str) -> str:
    return reverse(f"presentations:results_summary_{fmt}", args=[room.pk])


def _close(room: Room) -> None:
    Room.objects.filter(pk=room.pk).update(state=RoomState.CLOSED)


def test_room_a_summary_table_teams_by_members(scored):
    room = room_results(scored.world.room_a)

    document = room_document(room, today=TODAY)

    (table,) = document.tables()
    assert [cell.text for cell in table.rows[0]] == [
        "出场顺序",
        "推荐编号",
        "班组名称",
        "单位名称",
        "评委甲1（组长）",
        "评委甲2",
        "评委甲3",
        "评委甲4",
        "评委甲5",
        "有效评分表",
        "去掉的分数",
        "发布得分（满分20）",
    ]
    one, two, three = ([cell.typed_value for cell in row] for row in table.rows[1:])
    application = scored.world.slots_a[0].application
    assert one == [
        1,
        application.recommendation_number,
        application.team.name,
        "浙江甲建设有限公司",
        D("16.5"),
        D("17.0"),
        D("18.0"),
        D("15.5"),
        D("19.0"),
        "5/5",
        "15.5、19.0",
        D("17.17"),
    ]
    assert two[4:] == [D("16.0"), D("17.5"), D("18.5"), D("15.0"), "回避", "4/4", None, D("16.75")]
    assert three[4:] == ["缺席：主讲人因病未到场"]
    assert table.rows[3][4].colspan == 8
    assert table.header_rows == 1


def test_room_summary_names_the_panel_and_has_signature_lines(scored):
    document = room_document(room_results(scored.world.room_a), today=TODAY)

    lines = [block for block in document.blocks if isinstance(block, Line)]
    assert [(line.label, line.value, line.right_label, line.right_value) for line in lines] == [
        ("分会场：", "第一分会场", "地点：", "A厅"),
        (
            "评审组成员：",
            "评委甲1（组长）、评委甲2、评委甲3、评委甲4、评委甲5",
            "打印日期：",
            "2026-12-10",
        ),
        ("评审组长（签字）：", "", "日期：", ""),
        ("评委甲2：", "", "评委甲3：", ""),
        ("评委甲4：", "", "评委甲5：", ""),
    ]
    assert document.blocks[0].text == "2026 年度质量信得过班组发布会现场发布评分汇总表"
    assert document.landscape is True


def test_room_b_summary_marks_returned_and_missing(scored):
    (table,) = room_document(room_results(scored.world.room_b), today=TODAY).tables()

    values = [[cell.typed_value for cell in row] for row in table.rows[1:]]
    assert [cell.text for cell in table.rows[0][4:7]] == ["评委乙（组长）", "评委乙2", "评委乙3"]
    assert values[1][4:] == [D("14.0"), D("15.0"), "退回修改", "2/3", None, D("14.50")]
    # the team still waiting: no sheet and none missing yet
    assert values[2][4:] == [None, None, None, "0/3", None, None]


def test_admin_downloads_the_excel_summary_read_back(scored, admin_user):
    room = scored.world.room_a

    response = client_for(admin_user).get(_url(room, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''"
        "%E5%8F%91%E5%B8%83%E8%AF%84%E5%88%86%E6%B1%87%E6%80%BB%E8%A1%A8_2026_"
        "%E7%AC%AC%E4%B8%80%E5%88%86%E4%BC%9A%E5%9C%BA.xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "2026 年度质量信得过班组发布会现场发布评分汇总表"
    assert rows[4][:5] == ("出场顺序", "推荐编号", "班组名称", "单位名称", "评委甲1（组长）")
    assert rows[5][4:] == (16.5, 17, 18, 15.5, 19, "5/5", "15.5、19.0", 17.17)
    assert rows[6][8] == "回避"
    assert rows[7][4] == "缺席：主讲人因病未到场"
    assert rows[8][0] == "评审组长（签字）："
    assert sheet.freeze_panes == "A6"
    assert sheet["L6"].number_format == "0.00"
    # The header and 浙江第1建设工程有限公司 (23 widths in a 24-wide column) take two lines in
    # Excel and WPS; 30 points is the pen room's minimum.
    assert [sheet.row_dimensions[row].height for row in (5, 6, 7, 8)] == [36, 30, 36, 36]
    assert [sheet.row_dimensions[row].height for row in (9, 10, 11, 12)] == [36, 36, 36, 36]
    entry = AuditEntry.objects.filter(action="export.presentation_summary").get()
    assert (entry.actor_id, entry.data) == (admin_user.pk, {"format": "xlsx", "teams": 3})


def test_admin_downloads_the_pdf_summary_before_the_room_closes(scored, admin_user):
    response = client_for(admin_user).get(_url(scored.world.room_a, "pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_secretary_downloads_their_room_once_closed(scored):
    world = scored.world
    _close(world.room_a)

    response = client_for(world.secretary_a).get(_url(world.room_a, "pdf"))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    entry = AuditEntry.objects.filter(action="export.presentation_summary").get()
    assert (entry.actor_id, entry.data) == (world.secretary_a.pk, {"format": "pdf", "teams": 3})


def test_secretary_is_refused_before_the_room_closes(scored):
    world = scored.world

    response = client_for(world.secretary_a).get(_url(world.room_a, "xlsx"))

    assert response.status_code == 403
    entry = AuditEntry.objects.filter(action="access.denied").get()
    assert entry.data == {
        "object": "presentation room summary",
        "id": str(world.room_a.pk),
        "code": "403",
    }
    assert not AuditEntry.objects.filter(action="export.presentation_summary").exists()


@pytest.mark.parametrize("who", ["secretary_b", "chair", "applicant_a"])
def test_others_cannot_download_room_a_summary(scored, applicant_a, who):
    world = scored.world
    _close(world.room_a)
    user = {
        "secretary_b": world.secretary_b,
        "chair": world.panel_a[0],
        "applicant_a": applicant_a,
    }[who]

    response = client_for(user).get(_url(world.room_a, "pdf"))

    assert response.status_code == 404
    entry = AuditEntry.objects.filter(action="access.denied").get()
    assert entry.data == {"object": "presentation room", "id": str(world.room_a.pk), "code": "404"}
    assert entry.actor_id == user.pk
    assert not AuditEntry.objects.filter(action="export.presentation_summary").exists()


def test_summary_of_a_room_the_table_spans_its_panel(scored):
    (table,) = room_document(room_results(scored.world.room_b), today=TODAY).tables()

    assert isinstance(table, Table)
    assert len(table.widths) == 4 + 3 + 3
