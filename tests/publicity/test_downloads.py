"""The final publication's downloads (banzu.publicity.downloads): the commendation notice as PDF
and Word, the admin's full results workbook and each recommender's region workbook.

The world is the publicity world's (tests/publicity/conftest) with 乙班组 and 戊班组 recommended
by 宁波 instead of 杭州, a room award (最佳发布奖: 甲 in 第一分会场, 乙 in 第二分会场) and the
non-presenters' 优秀奖 (戊 79.00, 己 71.00): the window opened on 2026-12-07 for five working days,
then published on 2026-12-14 through banzu.publicity.publication.publish.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx as python_docx
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from banzu.accounts.models import Recommender
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.publicity import publication, services
from banzu.publicity.models import Publicity
from banzu.publicity.notice import ASSOCIATION
from banzu.results.versions import seal, settings_for
from tests.conftest import client_for
from tests.publicity.conftest import TODAY
from tests.results.test_gather import ResultsWorld, build_results

NOTICE = "浙建质协〔2026〕15号"
PUBLISHED_ON = dt.date(2026, 12, 14)  # the Monday after the window's last day
NOTICE_DATE = dt.date(2026, 12, 15)
AWARDED = ("甲班组", "乙班组", "丁班组", "戊班组", "己班组")
NOT_AWARDED = ("丙班组", "庚班组", "辛班组")
NINGBO_TEAMS = ("乙班组", "戊班组")
HANGZHOU_TEAMS = ("甲班组", "丙班组", "丁班组", "己班组", "庚班组", "辛班组")
EXPERTS = (
    *(f"评审专家{i}" for i in range(1, 4)),
    *(f"评委{room}{i}" for room in "ab" for i in range(1, 4)),
)


@dataclass
class World:
    results: ResultsWorld
    publicity: Publicity

    def team(self, name: str) -> Application:
        return self.results.teams[name]


def _opened(edition, admin_user, *, ranked: bool) -> World:
    results = build_results(edition)
    ningbo = Recommender.objects.get(short_name="宁波")
    Application.objects.filter(pk__in=[results.pk(name) for name in NINGBO_TEAMS]).update(
        recommender=ningbo
    )
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.room_award = "最佳发布奖"
    settings.notice_ranked = ranked
    settings.save()
    seal(edition, by=admin_user)
    publicity = services.open_publicity(
        edition, services.Window(starts_on=TODAY, working_days=5), by=admin_user
    )
    return World(results=results, publicity=publicity)


def _publish(world: World, admin_user, monkeypatch) -> World:
    monkeypatch.setattr(publication, "today", lambda: PUBLISHED_ON)
    world.publicity = publication.publish(
        world.publicity, notice_number=NOTICE, notice_date=NOTICE_DATE, by=admin_user
    )
    return world


@pytest.fixture
def opened(edition, admin_user) -> World:
    return _opened(edition, admin_user, ranked=False)


@pytest.fixture
def published(opened, admin_user, monkeypatch) -> World:
    return _publish(opened, admin_user, monkeypatch)


@pytest.fixture
def published_ranked(edition, admin_user, monkeypatch) -> World:
    return _publish(_opened(edition, admin_user, ranked=True), admin_user, monkeypatch)


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"publicity:{name}", kwargs={"year": 2026, **kwargs})


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "commendation.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _word(content: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The paragraphs' texts and each table's rows of cell texts."""
    document = python_docx.Document(io.BytesIO(content))
    paragraphs = [p.text for p in document.paragraphs if p.text]
    tables = [
        [[cell.text for cell in row.cells] for row in table.rows] for table in document.tables
    ]
    return paragraphs, tables


def _workbook(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def _values(book: Workbook) -> list[Any]:
    return [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
    ]


def _body(sheet, header: str) -> list[tuple[Any, ...]]:
    """The table's rows below the header row whose first cell is `header`."""
    rows = list(sheet.iter_rows(values_only=True))
    top = next(index for index, row in enumerate(rows) if row[0] == header)
    return rows[top + 1 :]


# --- The commendation notice -----------------------------------------------------------------


def test_commendation_pdf_reads_back_the_number_the_text_and_every_awarded_team(
    published, tmp_path
):
    response = Client().get(_url("commendation", fmt="pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # 表彰通知_2026.pdf
    assert "%E8%A1%A8%E5%BD%B0%E9%80%9A%E7%9F%A5_2026.pdf" in response["Content-Disposition"]
    text = _pdf_text(response.content, tmp_path)
    flat = "".join(text.split())
    assert "关于公布2026年度浙江省工程建设质量信得过班组名单的通知" in flat
    assert NOTICE in text
    assert "现予以公布表彰（名单附后）" in flat
    assert "共有5个班组被评为2026年度浙江省工程建设质量信得过班组" in flat
    assert ASSOCIATION in text
    assert "2026年12月15日" in text
    for team in AWARDED:
        assert team in text
    for team in NOT_AWARDED:
        assert team not in text
    for heading in (
        "一、一等奖（1个）",
        "二、二等奖（1个）",
        "三、三等奖（1个）",
        "四、优秀奖（2个）",
        "五、最佳发布奖（2个）",
    ):
        assert heading in flat
    assert flat.count("（排名不分先后）") == 5


def test_commendation_word_lists_each_award_in_its_table_in_a_neutral_order(published):
    response = Client().get(_url("commendation", fmt="docx"))

    assert response.status_code == 200
    paragraphs, tables = _word(response.content)
    assert paragraphs[0] + paragraphs[1] == "关于公布2026年度浙江省工程建设质量信得过班组名单的通知"
    assert paragraphs[2] == NOTICE
    assert "现予以公布表彰（名单附后）" in paragraphs[4]
    assert paragraphs.count("（排名不分先后）") == 5
    assert [[row[1] for row in table[1:]] for table in tables] == [
        ["甲班组"],
        ["乙班组"],
        ["丁班组"],
        # Neutral: 杭州 (己) before 宁波 (戊), whatever their scores.
        ["己班组", "戊班组"],
        ["甲班组", "乙班组"],
    ]
    assert tables[0][0] == ["序号", "班组名称", "单位名称", "推荐单位", "经验名称"]
    jia = published.team("甲班组")
    assert tables[0][1] == [
        "1",
        "甲班组",
        jia.team.enterprise.name,
        "杭州市建筑业协会",
        jia.experience_title,
    ]
    assert tables[3][2][3] == "宁波市建筑业协会"


def test_commendation_ranked_follows_the_results_without_the_unranked_line(
    published_ranked, tmp_path
):
    pdf = Client().get(_url("commendation", fmt="pdf"))
    word = Client().get(_url("commendation", fmt="docx"))

    assert "排名不分先后" not in _pdf_text(pdf.content, tmp_path)
    paragraphs, tables = _word(word.content)
    assert not any("排名不分先后" in text for text in paragraphs)
    # 戊 (79.00) before 己 (71.00): the non-presenters by their materials score.
    assert [row[1] for row in tables[3][1:]] == ["戊班组", "己班组"]
    assert [row[1] for row in tables[4][1:]] == ["甲班组", "乙班组"]


def test_commendation_does_not_exist_before_publication(opened, admin_user):
    assert Client().get(_url("commendation", fmt="pdf")).status_code == 404
    assert client_for(admin_user).get(_url("commendation", fmt="docx")).status_code == 404


def test_commendation_only_as_word_or_pdf_and_not_for_a_secretary(published, secretary):
    assert Client().get(_url("commendation", fmt="xlsx")).status_code == 404
    assert client_for(secretary).get(_url("commendation", fmt="pdf")).status_code == 404
    assert (
        Client()
        .get(reverse("publicity:commendation", kwargs={"year": 2025, "fmt": "pdf"}))
        .status_code
        == 404
    )


# --- The admin's workbook ----------------------------------------------------------------------


def test_results_workbook_holds_every_list_and_sheet_as_numbers(published, admin_user):
    response = client_for(admin_user).get(_url("results_xlsx"))

    assert response.status_code == 200
    # 评审结果_2026.xlsx
    assert "%E8%AF%84%E5%AE%A1%E7%BB%93%E6%9E%9C_2026.xlsx" in response["Content-Disposition"]
    book = _workbook(response.content)
    assert book.sheetnames == ["排名", "未排名", "材料评分", "发布评分"]
    ranked = book["排名"]
    assert ranked["A1"].value == "2026年度浙江省工程建设质量信得过班组排名及获奖等级"
    header = 5  # title, association and version, SHA-256, note
    assert [cell.value for cell in ranked[header]] == [
        "名次",
        "推荐编号",
        "班组名称",
        "单位名称",
        "推荐单位",
        "材料得分",
        "材料折算分（80%）",
        "发布得分",
        "总分",
        "获奖等级",
        "最佳发布奖",
    ]
    assert ranked.freeze_panes == f"A{header + 1}"
    assert ranked.print_title_rows == f"${header}:${header}"
    jia = published.team("甲班组")
    first = ranked[header + 1]
    assert [cell.value for cell in first] == [
        1,
        "杭-2026-001",
        "甲班组",
        jia.team.enterprise.name,
        "杭州市建筑业协会",
        88,
        70.4,
        17.5,
        87.9,
        "一等奖",
        "最佳发布奖",
    ]
    assert [cell.data_type for cell in first[5:9]] == ["n", "n", "n", "n"]
    assert first[8].number_format == "0.00"
    assert [row[2] for row in _body(ranked, "名次")] == ["甲班组", "乙班组", "丁班组", "丙班组"]
    assert [row[8] for row in _body(ranked, "名次")] == [87.9, 87.37, 82.1, 82.1]

    apart = _body(book["未排名"], "推荐编号")
    assert [(row[1], row[4], row[6], row[7]) for row in apart] == [
        ("戊班组", "未参加现场发布", 79, "优秀奖"),
        ("己班组", "未参加现场发布", 71, "优秀奖"),
        ("庚班组", "形式审查未通过", None, None),
        ("辛班组", "取消资格", None, None),
    ]
    assert apart[0][5] == "班组长因工伤住院，未能到场"

    materials = book["材料评分"]
    rows = _body(materials, "序号")
    assert len(rows) == 18  # three sheets for each of the six teams with a materials score
    header_row = next(r for r in materials.iter_rows(values_only=True) if r[0] == "序号")
    assert header_row[:6] == ("序号", "推荐编号", "班组名称", "单位名称", "评审专家", "专家编号")
    assert header_row[-2:] == ("总分", "去掉")
    reviewer = published.results.reviewers[0]
    # 甲's first sheet: 90 on items 15 25 20 15 15 (three sheets: the plain mean, none dropped).
    assert rows[0] == (
        1,
        "杭-2026-001",
        "甲班组",
        jia.team.enterprise.name,
        "评审专家1",
        reviewer.pk,
        15,
        25,
        20,
        15,
        15,
        90,
        "否",
    )
    assert [cell.data_type for cell in list(materials.iter_rows())[header + 1][6:12]] == ["n"] * 6

    presentation = _body(book["发布评分"], "序号")
    assert len(presentation) == 12
    assert [(row[4], row[-2], row[-1]) for row in presentation[:3]] == [
        ("评委a1", 18, "否"),
        ("评委a2", 17.5, "否"),
        ("评委a3", 17, "否"),
    ]
    assert AuditEntry.objects.filter(action="publicity.results_downloaded").count() == 1


def test_results_workbook_marks_the_sheets_the_trimmed_mean_left_out(
    edition, admin_user, monkeypatch
):
    edition.trim_min_experts = 3
    edition.save(update_fields=["trim_min_experts"])
    _publish(_opened(edition, admin_user, ranked=False), admin_user, monkeypatch)

    book = _workbook(client_for(admin_user).get(_url("results_xlsx")).content)

    materials = _body(book["材料评分"], "序号")
    # 甲 90 88 86: the highest and the lowest left out (as its ranked row records them).
    assert [(row[2], row[-2], row[-1]) for row in materials[:3]] == [
        ("甲班组", 90, "是"),
        ("甲班组", 88, "否"),
        ("甲班组", 86, "是"),
    ]
    # 戊 is listed apart: its dropped sheets are recomputed by the same rule (78 and 80).
    wu = [(row[-2], row[-1]) for row in materials if row[2] == "戊班组"]
    assert wu == [(78, "是"), (80, "是"), (79, "否")]
    presentation = _body(book["发布评分"], "序号")
    assert [(row[-2], row[-1]) for row in presentation[:3]] == [
        (18, "是"),
        (17.5, "否"),
        (17, "是"),
    ]


def test_results_workbook_wraps_long_text_in_a_taller_row(published, admin_user):
    book = _workbook(client_for(admin_user).get(_url("results_xlsx")).content)

    sheet = book["材料评分"]
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "序号")
    # The rubric items' headings ("1. 需求确定（15）"…) need two lines in an 11-wide column:
    # two lines of 16 points and 4 of padding.
    assert sheet.cell(header, 7).value == "1. 需求确定（15）"
    assert sheet.row_dimensions[header].height == 36
    assert sheet.cell(header, 7).alignment.wrap_text is True
    apart = book["未排名"]
    rows = {row[1].value: row[0].row for row in apart.iter_rows() if row[1].value}
    # 辛's reason does not fit its 36-wide column; 戊's does, and its row keeps Excel's height.
    assert apart.cell(rows["辛班组"], 6).value == "材料与2024年度某班组材料雷同，复制比62%"
    assert apart.row_dimensions[rows["辛班组"]].height == 36
    assert apart.row_dimensions[rows["戊班组"]].height is None


def test_results_workbook_during_the_window_is_the_draft(opened, admin_user):
    response = client_for(admin_user).get(_url("results_xlsx"))

    assert response.status_code == 200
    # 评审结果_2026_公示稿.xlsx
    assert "_%E5%85%AC%E7%A4%BA%E7%A8%BF.xlsx" in response["Content-Disposition"]
    book = _workbook(response.content)
    assert (
        book["排名"]["A1"].value == "2026年度浙江省工程建设质量信得过班组排名及获奖等级（公示稿）"
    )


def test_results_workbook_is_the_admins_alone(
    published, applicant_a, recommender_hz, expert, secretary
):
    assert Client().get(_url("results_xlsx")).status_code == 302
    for user in (applicant_a, recommender_hz, expert, secretary):
        assert client_for(user).get(_url("results_xlsx")).status_code == 404


def test_results_workbook_does_not_exist_before_the_window(edition, admin_user):
    build_results(edition)
    seal(edition, by=admin_user)

    assert client_for(admin_user).get(_url("results_xlsx")).status_code == 404


# --- A recommender's region --------------------------------------------------------------------


def _region(user, **query: str):
    return client_for(user).get(_url("region_xlsx"), query)


def _teams(book: Workbook) -> set[str]:
    names = {*HANGZHOU_TEAMS, *NINGBO_TEAMS}
    return {value for value in _values(book) if value in names}


def test_region_workbook_holds_only_the_recommenders_teams_without_expert_names(
    published, recommender_hz
):
    response = _region(recommender_hz)

    assert response.status_code == 200
    # 评审结果_2026_杭州.xlsx
    assert "_%E6%9D%AD%E5%B7%9E.xlsx" in response["Content-Disposition"]
    book = _workbook(response.content)
    assert book.sheetnames == ["排名", "未排名", "材料评分", "发布评分", "表彰名单"]
    assert _teams(book) == set(HANGZHOU_TEAMS)
    values = _values(book)
    text = "|".join(str(value) for value in values if value is not None)
    for name in EXPERTS:
        assert name not in text
    experts = {user.pk for user in published.results.reviewers} | {
        user.pk for panel in published.results.panels for user in panel
    }
    materials = _body(book["材料评分"], "序号")
    assert [row[4] for row in materials[:3]] == ["专家1", "专家2", "专家3"]
    assert not experts & {row[4] for row in materials}
    assert len(materials) == 12  # 甲 丙 丁 己, three each
    assert len(materials[0]) == 13 - 1  # no 专家编号 column
    assert [row[2] for row in _body(book["排名"], "名次")] == ["甲班组", "丁班组", "丙班组"]
    assert [row[0] for row in _body(book["排名"], "名次")] == [1, 3, 4]
    lines = _body(book["表彰名单"], "获奖等级")
    assert [(row[0], row[1], row[3]) for row in lines] == [
        ("一等奖", 1, "甲班组"),
        ("三等奖", 1, "丁班组"),
        ("优秀奖", 1, "己班组"),
        ("最佳发布奖", 1, "甲班组"),
    ]
    assert book["表彰名单"]["A1"].value == (
        "2026年度浙江省工程建设质量信得过班组表彰名单（杭州市建筑业协会）"
    )
    assert AuditEntry.objects.filter(action="publicity.region_downloaded").count() == 1


def test_region_workbook_of_another_recommender(published, recommender_nb, admin_user, ningbo):
    own = _workbook(_region(recommender_nb).content)
    asked = _workbook(_region(admin_user, recommender=str(ningbo.pk)).content)

    for book in (own, asked):
        assert _teams(book) == set(NINGBO_TEAMS)
        lines = _body(book["表彰名单"], "获奖等级")
        assert [(row[0], row[1], row[3]) for row in lines] == [
            ("二等奖", 1, "乙班组"),
            ("优秀奖", 2, "戊班组"),  # after 杭州's 己 in the neutral order
            ("最佳发布奖", 2, "乙班组"),
        ]


def test_region_workbook_is_404_outside_the_recommenders_scope(
    published, recommender_hz, ningbo, hangzhou, applicant_a, expert, admin_user, secretary
):
    assert _region(recommender_hz, recommender=str(ningbo.pk)).status_code == 404
    assert _region(recommender_hz, recommender=str(hangzhou.pk)).status_code == 200
    for user in (applicant_a, expert, secretary):
        assert _region(user).status_code == 404
    assert _region(admin_user).status_code == 404  # the admin names the region
    assert _region(admin_user, recommender="999999").status_code == 404
    assert Client().get(_url("region_xlsx")).status_code == 302
    denied = AuditEntry.objects.filter(action="access.denied", data__object="region_xlsx")
    assert denied.count() == 6


def test_region_workbook_does_not_exist_before_publication(
    opened, recommender_hz, admin_user, hangzhou
):
    assert _region(recommender_hz).status_code == 404
    assert _region(admin_user, recommender=str(hangzhou.pk)).status_code == 404


def test_publication_moved_the_downloads_teams_to_published(published):
    states = dict(Application.objects.values_list("team__name", "state"))

    assert {name: states[name] for name in ("甲班组", "丙班组", "己班组")} == {
        "甲班组": ApplicationState.PUBLISHED,
        "丙班组": ApplicationState.PUBLISHED,
        "己班组": ApplicationState.PUBLISHED,
    }
