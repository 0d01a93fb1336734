"""Attachments 1, 2 and 3 filled from the database by the apps that own them, read back."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from decimal import Decimal

import docx as python_docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from banzu.accounts.enums import Ownership, Role
from banzu.applications import services as application_services
from banzu.applications.attachment1 import attachment1_file
from banzu.applications.services import HonourData
from banzu.recommendations import services as recommendation_services
from banzu.recommendations.attachment2 import attachment2_file
from banzu.scoring.attachment3 import attachment3_blank_file, attachment3_sheet_file
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from tests.applications.helpers import make_complete
from tests.conftest import SHANGHAI
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, UserFactory
from tests.recommendations.conftest import score

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
NARRATIVES = {
    "narrative_team": "班组由二十三名成员组成，负责桥梁钢筋的加工与安装，愿景是零缺陷。",
    "narrative_management": "实行班前五分钟讲话制度。\n建立交接班台账与质量自检记录。",
    "narrative_skills": "每月组织一次技能比武，全员掌握QC七大手法。",
    "narrative_improvement": "完成数控弯箍机改造，获实用新型专利两项。",
    "narrative_results": "钢筋加工一次验收合格率连续三年保持百分之百。",
    "narrative_honours": "班组荣誉如下：",
}
HEADINGS = (
    "1. 班组成员组成,班组职责,主要工作内容、班组文化和愿景。",
    "2. 班组基础管理情况。",
    "3. 班组成员专业知识、技能培训、工具方法应用能力。",
    "4. 班组质量改进和创新能力。",
    "5. 班组管理特色、业绩及评价结果。",
    "6. 近三年取得荣誉情况,包括班组集体和个人荣誉等。",
)
FIELDS = {
    "experience_title": "数控弯箍让钢筋加工一次成型",
    "member_count": 23,
    "contact_name": "欧阳喆",
    "contact_phone": "13705710088",
    "work_completion_rate": Decimal("97.50"),
    "quality_pass_rate": Decimal("99.25"),
    "nonconforming_count": 2,
    "accident_count": 0,
    "complaint_count": 1,
    "first_pass_rate": Decimal("96.80"),
    "training_people": 21,
    "training_hours": 184,
    "improvement_participation_rate": Decimal("88.00"),
    "quality_cost": Decimal("12.35"),
    **NARRATIVES,
}
HONOUR = HonourData(
    year=2025,
    title="浙江省工人先锋号",
    level="provincial",
    recipient="individual",
    recipient_name="张堃",
    awarded_by="浙江省总工会",
)
HONOUR_LINE = "2025年 浙江省工人先锋号(省级,个人:张堃),浙江省总工会"


def distinct_cells(row) -> list:
    seen: list = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def docx_rows(content: bytes, table: int = 0) -> list[list[str]]:
    word = python_docx.Document(io.BytesIO(content))
    return [[cell.text for cell in distinct_cells(row)] for row in word.tables[table].rows]


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def submitted_application(
    recommender, tmp_path, *, enterprise, team: str, fields=None, honours=None
):
    application = make_complete(
        ApplicationFactory(
            recommender=recommender, team=TeamFactory(name=team, enterprise=enterprise)
        ),
        tmp_path,
    )
    if fields or honours:
        application = application_services.save_draft(
            application=application,
            user=application.created_by,
            fields=fields or {},
            honours=honours,
            expected_version=application.version,
        )
    return application_services.submit_application(
        application=application, user=application.created_by
    )


@pytest.fixture
def enterprise_a(applicant_a):
    """Applicant A's enterprise with a distinctive value in every Attachment 1 field."""
    enterprise = applicant_a.enterprise
    enterprise.industry = "市政公用工程"
    enterprise.ownership = Ownership.JOINT_STOCK
    enterprise.address = "浙江省杭州市拱墅区莫干山路188号"
    enterprise.supervising_department = "杭州市城乡建设委员会"
    enterprise.supervising_contact = "钱塘"
    enterprise.supervising_phone = "0571-87051234"
    enterprise.save()
    return enterprise


@pytest.fixture
def recommended(open_edition, hangzhou, enterprise_a, recommender_hz, tmp_path):
    """Applicant A's application, every field filled, recommended by 杭州 as 杭-2026-001."""
    application = submitted_application(
        hangzhou,
        tmp_path,
        enterprise=enterprise_a,
        team="桥梁钢筋精加工班",
        fields=FIELDS,
        honours=[HONOUR],
    )
    return recommendation_services.recommend_application(
        application=application, actor=recommender_hz
    )


@pytest.fixture
def empty_application(edition, hangzhou, applicant_b):
    """Applicant B's application as started: no field filled, no recommender number."""
    return ApplicationFactory(
        recommender=hangzhou,
        team=TeamFactory(name="测量班", enterprise=applicant_b.enterprise),
        created_by=applicant_b,
    )


# --- Attachment 1 -----------------------------------------------------------------------------


def test_attachment1_docx_has_the_notice_layout_with_every_value(recommended):
    rendered = attachment1_file(recommended, "docx")
    word = python_docx.Document(io.BytesIO(rendered.content))

    assert (rendered.filename, rendered.content_type) == (
        "附件1_申报表_桥梁钢筋精加工班.docx",
        DOCX,
    )
    assert [p.text for p in word.paragraphs[:4]] == [
        "附件1",
        "2026 年度浙江省工程建设质量信得过班组典型经验申报表",
        "推荐编号 杭-2026-001 ",
        "推荐单位 杭州市建筑业协会 ",
    ]
    rows = docx_rows(rendered.content)
    assert rows[:12] == [
        ["单位同意\n(请加盖公章)", "推荐单位(市质协/省行协)同意\n(请加盖公章)"],
        ["单位名称\n(填全称,\n与公章一致)", "浙江甲建设有限公司"],
        ["所属行业", "市政公用工程", "所有制性质", "股份制"],
        ["通讯地址", "浙江省杭州市拱墅区莫干山路188号"],
        [
            "主管部门",
            "杭州市城乡建设委员会",
            "主管部门联系人",
            "钱塘",
            "部门联系电话",
            "0571-87051234",
        ],
        ["班组名称\n(不挂上级单位)", "桥梁钢筋精加工班"],
        ["经验名称", "数控弯箍让钢筋加工一次成型"],
        ["班组人数", "23", "班组联系人", "欧阳喆", "班组联系电话", "13705710088"],
        ["班组工作完成率%", "97.5%", "质量考核合格率%", "99.25%", "产品/服务不合格", "2"],
        ["年质量、\n安全事故", "0", "年顾客投诉数", "1", "产品/服务\n一次合格", "96.8%"],
        ["年培训人数/时数", "21/184", "参与改进活动率%", "88%", "质量成本\n(万元/年)", "12.35"],
        ["质量信得过班组简介及活动结果(简要说明):"],
    ]
    narrative_texts = [
        NARRATIVES["narrative_team"],
        "实行班前五分钟讲话制度。\n建立交接班台账与质量自检记录。",
        NARRATIVES["narrative_skills"],
        NARRATIVES["narrative_improvement"],
        NARRATIVES["narrative_results"],
        f"{NARRATIVES['narrative_honours']}\n{HONOUR_LINE}",
    ]
    assert rows[12:18] == [
        [f"{heading}\n{text}"] for heading, text in zip(HEADINGS, narrative_texts, strict=True)
    ]
    assert rows[18:] == [["年\u3000\u3000月\u3000\u3000日"]]


def test_attachment1_pdf_holds_every_field_value(recommended):
    rendered = attachment1_file(recommended, "pdf")

    text = squeeze(pdf_text(rendered.content))
    assert rendered.filename == "附件1_申报表_桥梁钢筋精加工班.pdf"
    expected = [
        "2026年度浙江省工程建设质量信得过班组典型经验申报表",
        "杭-2026-001",
        "杭州市建筑业协会",
        "单位同意",
        "(请加盖公章)",
        "浙江甲建设有限公司",
        "市政公用工程",
        "股份制",
        "浙江省杭州市拱墅区莫干山路188号",
        "杭州市城乡建设委员会",
        "钱塘",
        "0571-87051234",
        "桥梁钢筋精加工班",
        "数控弯箍让钢筋加工一次成型",
        "欧阳喆",
        "13705710088",
        "97.5%",
        "99.25%",
        "96.8%",
        "21/184",
        "12.35",
        *(squeeze(heading) for heading in HEADINGS),
        # Paragraph by paragraph: a page break (and its footer) may fall between two.
        *(squeeze(line) for text in NARRATIVES.values() for line in text.split("\n")),
        squeeze(HONOUR_LINE),
        "年月日",
    ]
    assert [value for value in expected if value not in text] == []
    assert "None" not in text


def test_attachment1_of_an_empty_application_has_blank_cells_not_none(empty_application):
    content = attachment1_file(empty_application, "docx").content

    rows = docx_rows(content)
    word = python_docx.Document(io.BytesIO(content))
    assert [p.text for p in word.paragraphs[2:4]] == [
        "推荐编号" + "\u3000" * 8,
        "推荐单位 杭州市建筑业协会 ",
    ]
    assert rows[5:11] == [
        ["班组名称\n(不挂上级单位)", "测量班"],
        ["经验名称", ""],
        ["班组人数", "", "班组联系人", "", "班组联系电话", ""],
        ["班组工作完成率%", "", "质量考核合格率%", "", "产品/服务不合格", ""],
        ["年质量、\n安全事故", "", "年顾客投诉数", "", "产品/服务\n一次合格", ""],
        ["年培训人数/时数", "", "参与改进活动率%", "", "质量成本\n(万元/年)", ""],
    ]
    assert rows[12:18] == [[heading] for heading in HEADINGS]
    assert [text for row in rows for text in row if "None" in text] == []
    pdf = pdf_text(attachment1_file(empty_application, "pdf").content)
    assert "None" not in pdf
    assert "测量班" in pdf


def test_attachment1_is_not_offered_as_excel(recommended):
    with pytest.raises(ValueError, match="Attachment 1 is a form"):
        attachment1_file(recommended, "xlsx")


# --- Attachment 2 -----------------------------------------------------------------------------

HEADER = [
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
]


@pytest.fixture
def ranked(open_edition, hangzhou, recommender_hz, tmp_path):
    """Three applications recommended by 杭州 in the order 甲 001, 乙 002, 丙 003, scored
    88, 95 and 72 by the 杭州 staff: the table ranks 乙, 甲, 丙."""
    made = []
    for enterprise, team, title, count, contact, phone in (
        ("浙江甲建设有限公司", "钢筋班", "钢筋精细化加工", 12, "李明", "13605792309"),
        ("浙江乙建设有限公司", "木工班", "BIM 助力模板一次成型", 8, "王芳", "0571-81956046"),
        ("浙江丙建设有限公司", "测量班", "北斗放样提升测量精度", 6, "赵喆", "13900571234"),
    ):
        fields = {
            "experience_title": title,
            "member_count": count,
            "contact_name": contact,
            "contact_phone": phone,
        }
        application = submitted_application(
            hangzhou,
            tmp_path,
            enterprise=EnterpriseFactory(name=enterprise),
            team=team,
            fields=fields,
        )
        made.append(
            recommendation_services.recommend_application(
                application=application, actor=recommender_hz
            )
        )
    for application, total in zip(made, ("88", "95", "72"), strict=True):
        score(application, recommender_hz, total)
    return made


RANKED_ROWS = [
    [
        "1",
        "杭-2026-002",
        "浙江乙建设有限公司",
        "木工班",
        "BIM 助力模板一次成型",
        "8",
        "王芳",
        "0571-81956046",
        "95.00",
        "",
    ],
    [
        "2",
        "杭-2026-001",
        "浙江甲建设有限公司",
        "钢筋班",
        "钢筋精细化加工",
        "12",
        "李明",
        "13605792309",
        "88.00",
        "",
    ],
    [
        "3",
        "杭-2026-003",
        "浙江丙建设有限公司",
        "测量班",
        "北斗放样提升测量精度",
        "6",
        "赵喆",
        "13900571234",
        "72.00",
        "",
    ],
]
TODAY = dt.date(2026, 4, 25)


def test_attachment2_docx_lists_the_ranking_under_its_header(ranked, hangzhou, edition):
    rendered = attachment2_file(hangzhou, edition, "docx", today=TODAY)
    word = python_docx.Document(io.BytesIO(rendered.content))

    assert rendered.filename == "附件2_推荐汇总表_2026_杭州.docx"
    assert [p.text for p in word.paragraphs[:3]] == [
        "附件2",
        "2026 年度浙江省工程建设质量信得过班组典型经验推荐汇总表",
        "推荐单位（盖章）： 杭州市建筑业协会 \t填报日期： 2026年4月25日 ",
    ]
    assert docx_rows(rendered.content) == [HEADER, *RANKED_ROWS]
    section = word.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)


def test_attachment2_pdf_holds_every_row(ranked, hangzhou, edition):
    rendered = attachment2_file(hangzhou, edition, "pdf", today=TODAY)

    text = squeeze(pdf_text(rendered.content))
    assert rendered.filename == "附件2_推荐汇总表_2026_杭州.pdf"
    expected = [squeeze(value) for row in [HEADER, *RANKED_ROWS] for value in row if value]
    assert [value for value in expected if value not in text] == []
    # Ranked: 乙 before 甲 before 丙.
    positions = [text.index(name) for name in ("浙江乙建设", "浙江甲建设", "浙江丙建设")]
    assert positions == sorted(positions)
    page = PdfReader(io.BytesIO(rendered.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (842, 595)


def test_attachment2_xlsx_has_its_tag_and_header_in_row_4_and_typed_rows_below(
    ranked, hangzhou, edition
):
    rendered = attachment2_file(hangzhou, edition, "xlsx", today=TODAY)
    sheet = load_workbook(io.BytesIO(rendered.content)).active

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rendered.filename == "附件2_推荐汇总表_2026_杭州.xlsx"
    assert (rows[0][0], rows[1][0]) == (
        "附件2",
        "2026 年度浙江省工程建设质量信得过班组典型经验推荐汇总表",
    )
    assert (rows[2][0], rows[2][5]) == (
        "推荐单位（盖章）：杭州市建筑业协会",
        "填报日期：2026年4月25日",
    )
    assert rows[3] == HEADER
    assert rows[4:] == [
        [
            1,
            "杭-2026-002",
            "浙江乙建设有限公司",
            "木工班",
            "BIM 助力模板一次成型",
            8,
            "王芳",
            "0571-81956046",
            95,
            None,
        ],
        [
            2,
            "杭-2026-001",
            "浙江甲建设有限公司",
            "钢筋班",
            "钢筋精细化加工",
            12,
            "李明",
            "13605792309",
            88,
            None,
        ],
        [
            3,
            "杭-2026-003",
            "浙江丙建设有限公司",
            "测量班",
            "北斗放样提升测量精度",
            6,
            "赵喆",
            "13900571234",
            72,
            None,
        ],
    ]
    assert [sheet.cell(row=r, column=9).number_format for r in (5, 6, 7)] == ["0.00"] * 3
    assert (sheet.freeze_panes, sheet.print_title_rows) == ("A5", "$4:$4")
    assert sheet.page_setup.orientation == "landscape"


# --- Attachment 3 -----------------------------------------------------------------------------

ITEMS = [
    ("1", "需求确定", "15 分"),
    ("2", "建设策划", "25 分"),
    ("3", "建设过程", "30 分"),
    ("4", "建设成效", "15 分"),
    ("5", "特色", "15 分"),
]


def test_attachment3_blank_lists_the_rubric_with_empty_scores(edition):
    rendered = attachment3_blank_file(edition, "docx")

    rows = docx_rows(rendered.content)
    assert rendered.filename == "附件3_评价表_2026.docx"
    assert rows[0] == ["序号", "评价项目", "评价内容", "分值", "得分"]
    assert [(r[0], r[1], r[3], r[4]) for r in rows[1:6]] == [(*item, "") for item in ITEMS]
    assert rows[1][2].startswith("1) 班组在生产或服务中的定位明确")
    # The sub-criteria run on in one paragraph, as the notice prints them.
    assert (rows[3][2].count("\n"), rows[3][2].count(")")) == (0, 5)
    assert rows[6] == ["总分", "100 分", ""]
    assert len(rows) == 7
    word = python_docx.Document(io.BytesIO(rendered.content))
    assert [p.text for p in word.paragraphs[:2]] == [
        "附件3",
        "2026 年浙江省工程建设质量信得过班组建设成果评价表",
    ]
    assert word.paragraphs[-1].text == "评分人：" + "\u3000" * 8 + "\t日期：" + "\u3000" * 8


def test_attachment3_blank_pdf_shows_items_and_maximum_points(edition):
    text = squeeze(pdf_text(attachment3_blank_file(edition, "pdf").content))

    expected = ["评价表", "需求确定", "建设策划", "建设过程", "建设成效", "特色", "总分", "100分"]
    assert [value for value in expected if value not in text] == []
    assert [text.count(f"{points}分") for points in ("15", "25", "30")] == [3, 1, 1]


@pytest.fixture
def scored_sheet(recommended, recommender_hz):
    """A recommender-stage sheet of 86 points by 杭州's 陈静怡, submitted on 2026-04-21."""
    recommender_hz.full_name = "陈静怡"
    recommender_hz.save()
    rubric = list(recommended.edition.rubric_items.order_by("position"))
    points = [Decimal("13"), Decimal("21.5"), Decimal("26"), Decimal("12.5"), Decimal("13")]
    comments = ["需求识别全面。", "", "过程扎实，数据翔实。", "", "特色鲜明。"]
    return save_sheet(
        application=recommended,
        scorer=recommender_hz,
        stage=SheetStage.RECOMMENDER,
        items={
            item.pk: ItemInput(points=p, comment=c)
            for item, p, c in zip(rubric, points, comments, strict=True)
        },
        expected_version=None,
        submit=True,
        now=dt.datetime(2026, 4, 21, 23, 30, tzinfo=SHANGHAI),
    )


def test_attachment3_filled_docx_shows_scores_total_comments_and_scorer(scored_sheet):
    rendered = attachment3_sheet_file(scored_sheet, "docx")
    word = python_docx.Document(io.BytesIO(rendered.content))

    assert rendered.filename == "附件3_评价表_桥梁钢筋精加工班_陈静怡.docx"
    assert [p.text for p in word.paragraphs[2:6]] == [
        "推荐编号： 杭-2026-001 \t评审阶段： 推荐单位初评 ",
        "单位名称： 浙江甲建设有限公司 ",
        "班组名称： 桥梁钢筋精加工班 ",
        "经验名称： 数控弯箍让钢筋加工一次成型 ",
    ]
    scores = docx_rows(rendered.content, table=0)
    assert [(r[1], r[3], r[4]) for r in scores[1:6]] == [
        ("需求确定", "15 分", "13.0"),
        ("建设策划", "25 分", "21.5"),
        ("建设过程", "30 分", "26.0"),
        ("建设成效", "15 分", "12.5"),
        ("特色", "15 分", "13.0"),
    ]
    assert scores[6] == ["总分", "100 分", "86.0"]
    # The comments under the total, in the one table that stays on one page.
    assert scores[7] == [
        "评语",
        "需求确定：需求识别全面。\n建设过程：过程扎实，数据翔实。\n特色：特色鲜明。",
    ]
    assert len(word.tables) == 1
    assert word.paragraphs[-1].text == "评分人： 陈静怡 \t日期： 2026年4月21日 "


def test_attachment3_filled_pdf_shows_scores_and_scorer(scored_sheet):
    rendered = attachment3_sheet_file(scored_sheet, "pdf")

    text = squeeze(pdf_text(rendered.content))
    expected = [
        "杭-2026-001",
        "推荐单位初评",
        "桥梁钢筋精加工班",
        "21.5",
        "12.5",
        "86.0",
        "需求识别全面。",
        "过程扎实，数据翔实。",
        "特色鲜明。",
        "评分人：陈静怡",
        "2026年4月21日",
    ]
    assert [value for value in expected if value not in text] == []
    assert "None" not in text


def test_attachment3_is_not_offered_as_excel(edition):
    with pytest.raises(ValueError, match="Attachment 3 is a form"):
        attachment3_blank_file(edition, "xlsx")


def test_attachment3_scorer_without_full_name_is_named_by_username(recommended):
    scorer = UserFactory(
        username="hz_staff_9",
        full_name="",
        role=Role.RECOMMENDER,
        recommender=recommended.recommender,
    )
    sheet = score(recommended, scorer, "60")

    rendered = attachment3_sheet_file(sheet, "docx")

    assert rendered.filename == "附件3_评价表_桥梁钢筋精加工班_hz_staff_9.docx"


# --- Layout: whole labels, one-page Attachment 3, formats, marks (issue 18) -----------------------


def pdftotext_lines(content: bytes, tmp_path) -> list[str]:
    source = tmp_path / "form.pdf"
    source.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.strip() for line in text.splitlines()]


def libreoffice_pages(content: bytes, tmp_path) -> int:
    # A LibreOffice profile of its own: on the default one, a conversion started while another
    # test's LibreOffice runs is handed to it and silently lost.
    from bench import print_check

    pdf = print_check.libreoffice_pdfs({"form.docx": content}, tmp_path)["form.docx"]
    return len(PdfReader(io.BytesIO(pdf)).pages)


ATTACHMENT1_LABELS = [
    "主管部门联系人",
    "部门联系电话",
    "班组工作完成率%",
    "质量考核合格率%",
    "参与改进活动率%",
    "年培训人数/时数",
    "班组联系电话",
    "质量成本",
    "(万元/年)",
    "产品/服务",
    "一次合格",
]


def test_attachment1_pdf_labels_come_out_whole(recommended, tmp_path):
    lines = pdftotext_lines(attachment1_file(recommended, "pdf").content, tmp_path)

    assert [term for term in ATTACHMENT1_LABELS if term not in lines] == []


def test_attachment2_pdf_headings_and_legal_forms_come_out_whole(
    ranked, hangzhou, edition, tmp_path
):
    lines = pdftotext_lines(
        attachment2_file(hangzhou, edition, "pdf", today=TODAY).content, tmp_path
    )

    assert [heading for heading in HEADER if heading not in lines] == []
    assert [line for line in lines if line.endswith(("有限公", "有限"))] == []


def test_attachment1_shows_rates_with_percent_and_a_missing_training_number_as_a_dash(
    recommended,
):
    recommended.training_hours = None
    recommended.save()

    rows = docx_rows(attachment1_file(recommended, "docx").content)

    assert (rows[8][1], rows[9][5], rows[10][1], rows[10][3]) == ("97.5%", "96.8%", "21/—", "88%")


def test_attachment1_of_a_draft_is_marked_on_every_page(empty_application, recommended):
    draft = python_docx.Document(io.BytesIO(attachment1_file(empty_application, "docx").content))
    final = python_docx.Document(io.BytesIO(attachment1_file(recommended, "docx").content))
    draft_pdf = PdfReader(io.BytesIO(attachment1_file(empty_application, "pdf").content))

    assert draft.sections[0].header.paragraphs[0].text == "草稿（尚未提交）"
    assert final.sections[0].header.paragraphs[0].text == ""
    assert [squeeze(page.extract_text()).count("草稿（尚未提交）") for page in draft_pdf.pages] == [
        1
    ] * len(draft_pdf.pages)


def test_attachment1_keeps_a_narratives_full_width_indent(recommended):
    recommended.narrative_team = "\u3000\u3000班组由二十三名成员组成。\n\u3000\u3000愿景是零缺陷。"
    recommended.save()

    rows = docx_rows(attachment1_file(recommended, "docx").content)

    assert rows[12] == [
        f"{HEADINGS[0]}\n\u3000\u3000班组由二十三名成员组成。\n\u3000\u3000愿景是零缺陷。"
    ]


REALISTIC_COMMENT = (
    "班组需求识别较为全面，关键顾客确定有依据，但测量指标与年度目标的对应关系还可以更清楚，"
    "建议补充近三年数据对比。"
)


def test_attachment3_filled_with_realistic_comments_is_one_page_in_pdf_and_word(
    recommended, recommender_hz, tmp_path
):
    rubric = list(recommended.edition.rubric_items.order_by("position"))
    sheet = save_sheet(
        application=recommended,
        scorer=recommender_hz,
        stage=SheetStage.RECOMMENDER,
        items={
            item.pk: ItemInput(points=Decimal("12"), comment=REALISTIC_COMMENT) for item in rubric
        },
        overall_comment=REALISTIC_COMMENT * 2,
        expected_version=None,
        submit=True,
        now=dt.datetime(2026, 4, 21, 10, 0, tzinfo=SHANGHAI),
    )

    pdf = PdfReader(io.BytesIO(attachment3_sheet_file(sheet, "pdf").content))
    word_pages = libreoffice_pages(attachment3_sheet_file(sheet, "docx").content, tmp_path)

    assert (len(pdf.pages), word_pages) == (1, 1)
    text = squeeze(pdf.pages[0].extract_text())
    assert text.index("特色") < text.index("总分100分60.0") < text.index("评语")


def test_attachment3_blank_is_one_page_in_pdf_and_word(edition, tmp_path):
    pdf = PdfReader(io.BytesIO(attachment3_blank_file(edition, "pdf").content))

    assert (
        len(pdf.pages),
        libreoffice_pages(attachment3_blank_file(edition, "docx").content, tmp_path),
    ) == (1, 1)
