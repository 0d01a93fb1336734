"""Attachment 1 (申报表): the application form, laid out as the notice's table, and its file.

Six columns (label, value) × 3, in the notice's order: the stamp boxes, the enterprise, the team,
the indicators, then the six-part narrative and the date line. The notice's fixed texts are kept
word for word, including its own hints such as (填全称,与公章一致). Forms are Chinese whatever the
language of the person downloading them, so the layout is built under zh-hans."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

from django.utils import translation

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.documents.model import (
    Cell,
    Document,
    Line,
    Para,
    Table,
    blank,
    label,
    paragraphs,
    value,
)
from banzu.documents.render import Format, Rendered, render_file

# Where cells start and end, in millimetres of the 170 mm text width. A label cell holds its
# longest term whole at 10.5 pt in Word's faces as in the PDF's (7 characters and a %:
# "班组工作完成率%"; longer labels are split into two terms), and a value cell has room: a phone
# number such as 0571-87051234 stays on one line, a supervising department such as
# 杭州市城乡建设委员会 takes two lines, not four. The indicator rows are (label, value) × 3; the
# supervising department's row starts with a narrower label (主管部门) to give the department
# room; the industry's row puts 所有制性质 in the third label column.
ROW = (0.0, 33.5, 52.5, 86.0, 105.0, 137.0, 170.0)
DEPARTMENT_ROW = (0.0, 20.0, 52.5, 86.0, 105.0, 137.0, 170.0)
INDUSTRY_ROW = (0.0, 33.5, 105.0, 137.0, 170.0)
WIDE_ROW = (0.0, 33.5, 170.0)
STAMP_ROW = (0.0, 86.0, 170.0)
FULL_ROW = (0.0, 170.0)
GRID = tuple(sorted({*ROW, *DEPARTMENT_ROW, *INDUSTRY_ROW, *WIDE_ROW, *STAMP_ROW}))
WIDTHS = tuple(end - start for start, end in pairwise(GRID))
# Writing room of each narrative part, as on the paper form: a short application's page 2 is
# filled by its parts rather than left mostly empty.
NARRATIVE_MIN_HEIGHT_MM = 40.0

# A draft's form is not the one to stamp: every page says so.
DRAFT_MARK = "草稿（尚未提交）"

NARRATIVE_INTRO = "质量信得过班组简介及活动结果(简要说明):"
NARRATIVE_PARTS = (
    ("narrative_team", "1. 班组成员组成,班组职责,主要工作内容、班组文化和愿景。"),
    ("narrative_management", "2. 班组基础管理情况。"),
    ("narrative_skills", "3. 班组成员专业知识、技能培训、工具方法应用能力。"),
    ("narrative_improvement", "4. 班组质量改进和创新能力。"),
    ("narrative_results", "5. 班组管理特色、业绩及评价结果。"),
    ("narrative_honours", "6. 近三年取得荣誉情况,包括班组集体和个人荣誉等。"),
)


def attachment1_file(application: Application, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 1 is a form: Word or PDF")
    return render_file(build(application), filename_stem(application), fmt)


def title(application: Application) -> str:
    return f"{application.edition.year} 年度浙江省工程建设质量信得过班组典型经验申报表"


def filename_stem(application: Application) -> str:
    return f"附件1_申报表_{application.team.name}"


def _hinted(text: str, *hint: str) -> Cell:
    """A label with the notice's own filling hint under it, each line whole."""
    return Cell(
        content=(
            Para(text, "label", "center", whole=True),
            *(Para(line, "note", "center", whole=True) for line in hint),
        ),
        align="center",
    )


def _row(bounds: tuple[float, ...], *cells: Cell) -> tuple[Cell, ...]:
    """`cells` placed between consecutive `bounds` of the grid (each spans the grid's columns
    there)."""
    assert len(bounds) == len(cells) + 1, (bounds, cells)
    return tuple(
        replace(cell, colspan=GRID.index(end) - GRID.index(start))
        for cell, (start, end) in zip(cells, pairwise(bounds), strict=True)
    )


def _percent(raw: object) -> Cell:
    """A rate as the form prints it: 97.5%; blank when not given."""
    if raw is None or raw == "":
        return value(None)
    return value(f"{blank(raw)}%", align="center")


def _count(raw: object) -> Cell:
    return value(raw, align="center")


def _training(application: Application) -> Cell:
    """People/hours: 21/184. A number not given reads "—" (as on the application's page), never
    a bare "128/" that looks cut off."""
    people, hours = application.training_people, application.training_hours
    if people is None and hours is None:
        return value(None)
    return value(f"{blank(people) or '—'}/{blank(hours) or '—'}", align="center")


def _honour_lines(application: Application) -> tuple[Para, ...]:
    lines = []
    for honour in application.honours.all():
        recipient = honour.get_recipient_display()
        if honour.recipient_name:
            recipient = f"{recipient}:{honour.recipient_name}"
        lines.append(
            Para(
                f"{honour.year}年 {honour.title}({honour.get_level_display()},{recipient}),"
                f"{honour.awarded_by}"
            )
        )
    return tuple(lines)


def build(application: Application) -> Document:
    with translation.override("zh-hans"):
        return _build(application)


def _build(application: Application) -> Document:
    # As submitted once submitted: the stamped paper and the data must not drift apart.
    enterprise = application.shown_enterprise
    recommender = application.recommender
    stamp_box = 38.0
    rows: list[tuple[Cell, ...]] = [
        _row(
            STAMP_ROW,
            Cell(
                content=(Para("单位同意", "label"), Para("(请加盖公章)", "note", "right")),
                valign="top",
                min_height_mm=stamp_box,
            ),
            Cell(
                content=(
                    Para("推荐单位(市质协/省行协)同意", "label"),
                    Para("(请加盖公章)", "note", "right"),
                ),
                valign="top",
                min_height_mm=stamp_box,
            ),
        ),
        _row(WIDE_ROW, _hinted("单位名称", "(填全称,", "与公章一致)"), value(enterprise.name)),
        _row(
            INDUSTRY_ROW,
            label("所属行业"),
            value(enterprise.industry),
            label("所有制性质"),
            value(enterprise.get_ownership_display() if enterprise.ownership else ""),
        ),
        _row(WIDE_ROW, label("通讯地址"), value(enterprise.address)),
        _row(
            DEPARTMENT_ROW,
            label("主管部门"),
            value(enterprise.supervising_department),
            label("主管部门联系人"),
            value(enterprise.supervising_contact),
            label("部门联系电话"),
            value(enterprise.supervising_phone),
        ),
        _row(WIDE_ROW, _hinted("班组名称", "(不挂上级单位)"), value(application.team.name)),
        _row(WIDE_ROW, label("经验名称"), value(application.experience_title)),
        _row(
            ROW,
            label("班组人数"),
            _count(application.member_count),
            label("班组联系人"),
            value(application.contact_name),
            label("班组联系电话"),
            value(application.contact_phone),
        ),
        _row(
            ROW,
            label("班组工作完成率%"),
            _percent(application.work_completion_rate),
            label("质量考核合格率%"),
            _percent(application.quality_pass_rate),
            label("产品/服务不合格"),
            _count(application.nonconforming_count),
        ),
        _row(
            ROW,
            label("年质量、\n安全事故"),
            _count(application.accident_count),
            label("年顾客投诉数"),
            _count(application.complaint_count),
            label("产品/服务\n一次合格"),
            _percent(application.first_pass_rate),
        ),
        _row(
            ROW,
            label("年培训人数/时数"),
            _training(application),
            label("参与改进活动率%"),
            _percent(application.improvement_participation_rate),
            label("质量成本\n(万元/年)"),
            _count(application.quality_cost),
        ),
        _row(FULL_ROW, Cell(content=(Para(NARRATIVE_INTRO, "label"),))),
    ]
    for field, heading in NARRATIVE_PARTS:
        content = (Para(heading, "heading"), *paragraphs(getattr(application, field)))
        if field == "narrative_honours":
            content = (*content, *_honour_lines(application))
        rows.append(
            _row(
                FULL_ROW,
                Cell(content=content, valign="top", min_height_mm=NARRATIVE_MIN_HEIGHT_MM),
            )
        )
    rows.append(
        _row(
            FULL_ROW,
            Cell(
                content=(Para("年\u3000\u3000月\u3000\u3000日", "body", "right"),),
                min_height_mm=16,
                valign="bottom",
            ),
        )
    )
    return Document(
        title=title(application),
        blocks=(
            Para("附件1", "label"),
            Para(title(application), "title", "center"),
            Line("推荐编号", application.recommendation_number or ""),
            Line("推荐单位", recommender.name if recommender else ""),
            Table(widths=WIDTHS, rows=tuple(rows)),
        ),
        author=enterprise.name,
        keywords=("附件1", "申报表", application.team.name),
        mark=DRAFT_MARK if application.state == ApplicationState.DRAFT else "",
        sheet_name="附件1",
    )
