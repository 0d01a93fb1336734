"""The print check (bench/print_check.py, issue 18 "What must hold") on the forms, with hard
content: its checks catch what they look for, and Attachments 1–3 pass them. The LibreOffice part
(Word and PDF page counts agree) is marked serial; the whole check of every document type is the
bench's (docs/printing.md)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.styles import Alignment

from banzu.applications import attachment1
from banzu.applications.models import Application
from banzu.documents.model import Cell, Document, Para, Table
from banzu.documents.render import render
from banzu.recommendations import attachment2
from banzu.scoring import attachment3
from bench import print_check as check
from tests.documents.conftest import make_recommended

TODAY = dt.date(2026, 12, 6)


# --- The checks catch what they look for --------------------------------------------------------


def test_broken_labels_finds_a_label_split_over_two_lines():
    text = "主管部门 质量管理部 主管部门联\n系人 王工\n序号 单位名称\n"

    assert check.broken_labels(text, ["主管部门联系人", "序号", "单位名称", "主管部门"]) == [
        "主管部门联系人"
    ]


def test_broken_labels_finds_a_label_whole_once_and_split_once():
    text = "序号 单位名称\n…\n序\n号 单位名称\n"

    assert check.broken_labels(text, ["序号", "单位名称"]) == ["序号"]


def _workbook(height: float | None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.column_dimensions["A"].width = 10
    sheet["A1"] = "浙江省工程建设质量管理协会钢筋加工班"
    sheet["A1"].alignment = Alignment(wrap_text=True)
    sheet["A2"] = "短"
    sheet["A2"].alignment = Alignment(wrap_text=True)
    if height is not None:
        sheet.row_dimensions[1].height = height
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_short_rows_finds_a_wrapped_row_without_a_height():
    assert check.short_rows(_workbook(None)) == ["Sheet!1: 4 lines, height none"]


def test_short_rows_passes_a_wrapped_row_with_its_height():
    assert check.short_rows(_workbook(60)) == []


def test_notdef_glyphs_names_a_character_no_font_has():
    # A private-use character of plane 16: in no font, so WeasyPrint draws the box.
    pdf = render(Document(title="t", blocks=(Para("王\U0010fffd堃"),)), "pdf")

    assert check.notdef_glyphs(pdf) == ["\U0010fffd"]


# --- The forms with hard content ----------------------------------------------------------------


DEPARTMENT = "杭州市城乡建设委员会"
PHONE = "0571-81956046"  # the factory's supervising phone


def _lines(pdf: bytes) -> list[str]:
    return [check._squeezed(line) for line in check.pdf_text(pdf).splitlines()]


def _roomy_values(pdf: bytes) -> dict[str, bool]:
    """Whether the phone number is whole on one line and the department on at most two."""
    lines = _lines(pdf)
    return {
        "phone whole": PHONE in lines,
        "department in two lines": any(DEPARTMENT[:5] in line for line in lines),
    }


@pytest.fixture
def hard(hangzhou, recommender_hz, open_edition, tmp_path) -> Application:
    """A recommended application with 75-character enterprise and team names in rare
    characters, a 20,000-character narrative and its optional fields empty."""
    application = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    enterprise_name = check.long_name("浙江𠮷䶮喆堃建设")
    team = application.team
    team.name = check.long_name("钢筋𠮷喆", suffix="班")
    team.save()
    sections = check.narrative()
    Application.objects.filter(pk=application.pk).update(
        narrative_team=sections[0],
        narrative_management=sections[1],
        narrative_skills=sections[2],
        narrative_improvement=sections[3],
        narrative_results=sections[4],
        narrative_honours="",
        training_hours=None,
        contact_phone="",
        submitted_enterprise={
            **application.submitted_enterprise,
            "name": enterprise_name,
            "supervising_department": DEPARTMENT,
            "supervising_contact": "",
        },
    )
    application.honours.all().delete()
    return Application.objects.get(pk=application.pk)


def test_hard_content_is_as_long_as_the_check_says(hard):
    narrative = sum(len(getattr(hard, f"narrative_{p}")) for p in ("team", "management",
                    "skills", "improvement", "results", "honours"))  # fmt: skip

    assert (len(hard.team.name), len(hard.shown_enterprise.name), narrative) == (75, 75, 20_000)


_ATTACHMENT1: list[tuple[Document, bytes]] = []


@pytest.fixture
def attachment1_pdf(hard) -> tuple[Document, bytes]:
    """The hard Attachment 1 and its PDF, rendered once for the module (about a second each)."""
    if not _ATTACHMENT1:
        document = attachment1.build(hard)
        _ATTACHMENT1.append((document, render(document, "pdf")))
    return _ATTACHMENT1[0]


def test_attachment1_pdf_keeps_every_label_whole_and_embeds_every_font(attachment1_pdf):
    document, pdf = attachment1_pdf
    findings = {
        "broken labels": check.broken_labels(check.pdf_text(pdf), check.labels_of(document)),
        "fonts not embedded": check.unembedded_fonts(pdf),
    }

    assert findings == {"broken labels": [], "fonts not embedded": []}


def test_attachment1_pdf_keeps_the_phone_number_whole_and_gives_the_department_room(
    attachment1_pdf,
):
    assert _roomy_values(attachment1_pdf[1]) == {
        "phone whole": True,
        "department in two lines": True,
    }


def test_attachment1_pdf_draws_every_character(attachment1_pdf):
    document, pdf = attachment1_pdf

    assert check.notdef_glyphs(pdf) == []
    assert check.missing_characters(check.text_of(document), check.pdf_text(pdf)) == []


def _attachment2_document(rows: int = 12) -> Document:
    return attachment2.build(
        year=2026,
        recommender_name="杭州市建筑业协会",
        rows=[
            attachment2.Attachment2Row(
                position=number,
                application_pk=number,
                recommendation_number=f"杭-2026-{number:03d}",
                enterprise_name=check.long_name(f"浙江第{number}𠮷䶮建设"),
                team_name=check.long_name(f"钢筋{number}喆堃", length=30, suffix="班"),
                experience_title="以精细化管理提升钢筋加工一次合格率的实践与探索",
                member_count=12,
                contact_name="王𠮷喆",
                contact_phone="13605792309",
                preliminary_score=Decimal("88.5"),
                remarks="",
            )
            for number in range(1, rows + 1)
        ],
        today=TODAY,
    )


def test_attachment2_pdf_keeps_every_label_whole():
    document = _attachment2_document()
    pdf = render(document, "pdf")

    assert check.broken_labels(check.pdf_text(pdf), check.labels_of(document)) == []


def test_attachment2_pdf_draws_every_character():
    document = _attachment2_document()
    pdf = render(document, "pdf")

    assert check.notdef_glyphs(pdf) == []
    assert check.missing_characters(check.text_of(document), check.pdf_text(pdf)) == []


def test_attachment2_xlsx_gives_wrapped_rows_their_height():
    assert check.short_rows(render(_attachment2_document(), "xlsx")) == []


def _items(edition) -> list[attachment3.Item]:
    return attachment3._items(edition)


def _filled(
    edition,
    comment: int = attachment3.ITEM_COMMENT_FITS,
    overall: int = attachment3.OVERALL_COMMENT_FITS,
) -> Document:
    """A materials sheet with 75-character enterprise, team and experience names and a comment
    of `comment` characters on every item, `overall` characters overall (by default the longest
    the form holds on one page)."""
    text = check.SENTENCE * 8
    items = [
        attachment3.Item(
            position=item.position,
            title=item.title,
            criteria=item.criteria,
            max_points=item.max_points,
            points=item.max_points * Decimal("0.8"),
            comment=text[:comment],
        )
        for item in _items(edition)
    ]
    filled = attachment3.Filled(
        recommendation_number="杭-2026-001",
        team_name=check.long_name("钢筋𠮷喆", suffix="班"),
        enterprise_name=check.long_name("浙江𠮷䶮喆堃建设"),
        experience_title=check.long_name("以精细化管理提升钢筋加工一次合格率", suffix="的实践"),
        scorer_name="王𠮷喆",
        stage_name="专家评审（申报材料）",
        total=sum((item.points or Decimal(0) for item in items), Decimal(0)),
        submitted_on=TODAY,
        overall_comment=text[:overall],
    )
    return attachment3.build(year=edition.year, items=items, filled=filled)


# Comments beyond what one page holds: the 评语 row runs on, the score rows stay with 总分.
LONG_COMMENTS = {"comment": 400, "overall": 400}
# The last score row, the total (label, maximum, score) and the start of the 评语 row.
ON_PAGE_1 = ("特色", "15分12.0", "总分", "100分", "80.0", "评语")


def test_attachment3_blank_pdf_is_one_page(edition):
    pdf = render(attachment3.build(year=edition.year, items=_items(edition)), "pdf")

    assert check.pdf_pages(pdf) == 1


def test_attachment3_filled_with_the_longest_fitting_comments_is_one_page_in_pdf(edition):
    assert check.pdf_pages(render(_filled(edition), "pdf")) == 1


def _pages_text(pdf: bytes) -> list[str]:
    return [check._squeezed(page) for page in check.pdf_text(pdf).split("\f") if page.strip()]


def test_attachment3_with_longer_comments_keeps_the_scores_with_the_total_on_page_1(edition):
    pages = _pages_text(render(_filled(edition, **LONG_COMMENTS), "pdf"))

    assert len(pages) == 2
    assert [text for text in ON_PAGE_1 if text not in pages[0]] == []
    assert ("总分" in pages[1], "评分人：王𠮷喆" in pages[1]) == (False, True)


def test_attachment3_filled_pdf_keeps_every_label_whole(edition):
    document = _filled(edition)
    pdf = render(document, "pdf")

    assert check.broken_labels(check.pdf_text(pdf), check.labels_of(document)) == []


# --- LibreOffice: the Word copies (serial: a LibreOffice run of several seconds) --------------


_WORD_COPIES: dict[str, tuple[Document, bytes, bytes]] = {}


@pytest.fixture
def word_copies(hard, edition, tmp_path) -> dict[str, tuple[Document, bytes, bytes]]:
    """Each form's layout, PDF and the Word copy as LibreOffice prints it: converted once for
    the tests of this module (the same layouts of the same data), in one LibreOffice run."""
    if _WORD_COPIES:
        return _WORD_COPIES
    documents = {
        "attachment1": attachment1.build(hard),
        "attachment2": _attachment2_document(),
        "attachment3-blank": attachment3.build(year=edition.year, items=_items(edition)),
        "attachment3-filled": _filled(edition),
        "attachment3-long": _filled(edition, **LONG_COMMENTS),
    }
    converted = check.libreoffice_pdfs(
        {f"{name}.docx": render(document, "docx") for name, document in documents.items()},
        Path(tmp_path) / "office",
    )
    _WORD_COPIES.update(
        (name, (document, render(document, "pdf"), converted[f"{name}.docx"]))
        for name, document in documents.items()
    )
    return _WORD_COPIES


@pytest.mark.serial
def test_word_and_pdf_copies_have_as_many_pages(word_copies):
    pages = {
        name: (check.pdf_pages(pdf), check.pdf_pages(word))
        for name, (_document, pdf, word) in word_copies.items()
    }

    assert {name: pdf for name, (pdf, _word) in pages.items()} == {
        name: word for name, (_pdf, word) in pages.items()
    }


@pytest.mark.serial
def test_word_copies_of_attachment3_are_one_page_up_to_the_longest_fitting_comments(word_copies):
    pages = [check.pdf_pages(word_copies[name][2]) for name in ("attachment3-blank",
             "attachment3-filled")]  # fmt: skip

    assert pages == [1, 1]


@pytest.mark.serial
def test_word_copy_of_attachment3_with_longer_comments_keeps_the_scores_on_page_1(word_copies):
    pages = _pages_text(word_copies["attachment3-long"][2])

    assert len(pages) == 2
    assert [text for text in ON_PAGE_1 if text not in pages[0]] == []
    assert "总分" not in pages[1]


@pytest.mark.serial
def test_word_copy_of_attachment1_keeps_the_phone_number_whole_and_the_department_roomy(
    word_copies,
):
    assert _roomy_values(word_copies["attachment1"][2]) == {
        "phone whole": True,
        "department in two lines": True,
    }


@pytest.mark.serial
def test_word_copies_keep_every_label_whole(word_copies):
    broken = {
        name: check.broken_labels(check.pdf_text(word), check.labels_of(document))
        for name, (document, _pdf, word) in word_copies.items()
    }

    assert broken == {name: [] for name in word_copies}


@pytest.mark.serial
def test_libreoffice_pdfs_keeps_a_word_and_an_excel_copy_of_one_name_apart(tmp_path):
    # LibreOffice names its PDF by the stem: x.docx and x.xlsx both became x.pdf, and the
    # schedule's Word copy was measured on its Excel copy's four pages.
    word = render(
        Document(title="t", blocks=(Para("Word 的一页"),), footer_page_numbers=False), "docx"
    )
    excel = render(
        Document(
            title="t",
            blocks=(Table((10.0,), ((Cell((Para("Excel 的一页"),)),),)),),
            footer_page_numbers=False,
        ),
        "xlsx",
    )

    converted = check.libreoffice_pdfs({"x.docx": word, "x.xlsx": excel}, tmp_path)

    texts = [check._squeezed(check.pdf_text(converted[name])) for name in ("x.docx", "x.xlsx")]

    assert (texts[0], texts[1].startswith("Excel的一页")) == ("Word的一页", True)
