"""Issue 19, what the screener sees: one figure with one rounding on every page (the issue's
0.48836 reads 48.8% in the list, the report, the decision page, the side-by-side view and the
exports), and which came first — both sides' submission and upload times, an archive source's
year, a pair within this edition marked mutual and never worded as copied from."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.screening import checks
from banzu.screening.checks import Figures
from banzu.screening.enums import CheckCode, CheckStatus
from banzu.screening.models import ArchiveDocument, CheckResult, SimilarityReport
from banzu.screening.services_checks import refresh_plagiarism_checks
from tests.conftest import SHANGHAI, client_for
from tests.documents.conftest import make_recommended
from tests.documents.test_attachments import pdf_text, squeeze
from tests.screening.conftest import submit_batch

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ISSUE_RATIO = 0.48836  # the issue's: 48.8% in the report, 49% in the list, 48% on the decision
# 12.45%: half up gives 12.5%, the half-even rounding of Python's format gives 12.4%.
SECOND_RATIO = 0.1245

COPIED = "班组坚持每日班前会，开展质量自检、互检和专检，做到工序不合格不交接。"
SHARED = "运用QC七大手法分析钢筋加工偏差原因。"
MINE = "我们班组的开头。" + COPIED + "我们自己写的一句话。" + SHARED + "结尾。"
ARCHIVE_TEXT = "档案开头。" + COPIED + "档案结尾。"
OTHER_TEXT = "木工班的开头。" + SHARED + "木工班的结尾。"
ARCHIVE_LABEL = "2024 · 浙江丙建设有限公司 · 木工班"


def at(day: int, hour: int, minute: int) -> dt.datetime:
    return dt.datetime(2026, 4, day, hour, minute, tzinfo=SHANGHAI)


def span(text: str, part: str) -> list[int]:
    start = text.index(part)
    return [start, start + len(part)]


def dated(application: Application, *, submitted: dt.datetime, uploaded: dt.datetime) -> None:
    """Fixed times: the last submission and the current materials' upload (Word, PDF)."""
    Application.objects.filter(pk=application.pk).update(submitted_at=submitted)
    Document.objects.filter(
        application=application, kind=DocumentKind.MATERIALS_DOCX, superseded_at__isnull=True
    ).update(uploaded_at=uploaded)
    Document.objects.filter(
        application=application, kind=DocumentKind.MATERIALS_PDF, superseded_at__isnull=True
    ).update(uploaded_at=uploaded + dt.timedelta(hours=1))


@pytest.fixture
def pair(open_edition, hangzhou, recommender_hz, admin_user, tmp_path):
    """钢筋班's report: 48.836% copied from a 2024 archive document, 12.45% in common with
    木工班 of this edition, which was submitted two days after 钢筋班."""
    mine = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    other = make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    submit_batch(mine, recommender_hz)
    dated(mine, submitted=at(20, 10, 31), uploaded=at(18, 9, 5))
    dated(other, submitted=at(22, 16, 0), uploaded=at(21, 8, 30))
    SimilarityReport.objects.create(application=other, text=OTHER_TEXT, chars=len(OTHER_TEXT))
    archive = ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="浙江丙建设有限公司",
        team_name="木工班",
        original_name="2024.docx",
        stored_name="archive-19",
        size=1,
        sha256="1" * 64,
        text=ARCHIVE_TEXT,
        imported_by=admin_user,
    )
    SimilarityReport.objects.create(
        application=mine,
        chars=len(MINE),
        copied_chars=len(COPIED) + len(SHARED),
        copy_ratio=ISSUE_RATIO,
        max_source_ratio=ISSUE_RATIO,
        copy_ratio_excluding_self=ISSUE_RATIO,
        text=MINE,
        sources=[
            {
                "kind": "archive",
                "pk": archive.pk,
                "label": ARCHIVE_LABEL,
                "same_owner": False,
                "copied_chars": len(COPIED),
                "ratio": ISSUE_RATIO,
                "passages": [span(MINE, COPIED) + span(ARCHIVE_TEXT, COPIED)],
            },
            {
                "kind": "application",
                "pk": other.pk,
                "label": "杭-2026-002 木工班",
                "same_owner": False,
                "copied_chars": len(SHARED),
                "ratio": SECOND_RATIO,
                "passages": [span(MINE, SHARED) + span(OTHER_TEXT, SHARED)],
            },
        ],
    )
    return mine, other, archive


def get(user, name: str, *args) -> str:
    response = client_for(user).get(reverse(f"screening:{name}", args=args), **EN)
    assert response.status_code == 200
    return response.content.decode()


def cells_of(html: str, css_class: str) -> list[str]:
    found = re.findall(rf'<td class="{css_class}"[^>]*>(.*?)</td>', html, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in found]


# --- one figure, one rounding ----------------------------------------------------------------


def test_the_list_shows_the_issue_ratio_as_48_8(pair, admin_user):
    mine, _, _ = pair

    html = get(admin_user, "workspace")

    report = reverse("screening:report", args=[mine.pk])
    # Labelled, so a phone's stacked row says what the figure is.
    assert (
        f'<td class="num copy-ratio" data-label="Copy ratio"><a href="{report}">48.8%</a>' in html
    )
    assert ">49%</a>" not in html


def test_the_report_shows_the_issue_ratio_as_48_8(pair, admin_user):
    mine, _, _ = pair

    html = get(admin_user, "report", mine.pk)

    assert '<strong class="copy-ratio">48.8%</strong>' in html
    assert '<dd class="max-source-ratio">48.8%</dd>' in html
    assert '<dd class="ratio-excluding-self">48.8%</dd>' in html
    assert re.findall(r'<td class="num source-ratio" data-label="Ratio">(.*?)</td>', html) == [
        "48.8%",
        "12.5%",
    ]


def test_the_decision_page_shows_the_issue_ratio_as_48_8(pair, admin_user):
    mine, _, _ = pair
    refresh_plagiarism_checks(mine.edition)

    html = get(admin_user, "decide", mine.pk)

    result = CheckResult.objects.get(application=mine, code=CheckCode.PLAGIARISM)
    assert (result.status, result.reason) == (
        CheckStatus.FAIL,
        f"48.8% of the text copies one source, {ARCHIVE_LABEL} (flag from 20.0%); "
        "48.8% copied in all.",
    )
    assert result.reason in html
    report = reverse("screening:report", args=[mine.pk])
    assert (
        f'<p class="decide-report"><a href="{report}">Similarity report</a>: '
        "total copy ratio 48.8%</p>"
    ) in html


def test_the_side_by_side_view_shows_the_issue_ratio_as_48_8(pair, admin_user):
    mine, other, archive = pair

    against_archive = get(admin_user, "side_by_side", mine.pk, "archive", archive.pk)
    against_other = get(admin_user, "side_by_side", mine.pk, "application", other.pk)

    assert f'<dd class="sbs-ratio">{len(COPIED)} characters, 48.8%</dd>' in against_archive
    assert f'<dd class="sbs-ratio">{len(SHARED)} characters, 12.5%</dd>' in against_other


def test_the_report_exports_show_the_issue_ratio_as_48_8(pair, admin_user):
    mine, _, _ = pair
    client = client_for(admin_user)

    xlsx = client.get(reverse("screening:report_export", args=[mine.pk, "xlsx"]))
    pdf = client.get(reverse("screening:report_export", args=[mine.pk, "pdf"]))

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert ["总文字复制比：48.8%"] in cells
    assert ["单篇最大文字复制比：48.8%"] in cells
    assert [row[7] for row in cells if len(row) == 9 and row[0] in (1, 2)] == ["48.8%", "12.5%"]
    # The nine columns need a landscape page.
    (first_page,) = PdfReader(io.BytesIO(pdf.content)).pages
    assert first_page.mediabox.width > first_page.mediabox.height
    text = squeeze(pdf_text(pdf.content))
    assert "总文字复制比：48.8%" in text
    assert "48.8%" in text
    assert "12.5%" in text
    assert "49%" not in text
    assert "48%" not in text.replace("48.8%", "")


def test_a_ratio_reaches_its_flag_as_it_is_shown():
    # 29.96% reads 30.0%: it reaches a flag of 30%, so no page says 30.0% and "below the flag".
    assert (checks.reaches(0.29996, 0.3), checks.reaches(0.29949, 0.3)) == (True, False)

    outcome = checks.check_plagiarism(
        Figures(0.29996, 0.1, "2024 · 某公司 · 电工班"), copy_ratio_flag=0.3, source_ratio_flag=0.2
    )

    assert (outcome.status, outcome.reason) == (
        CheckStatus.WARN,
        "30.0% of the text is copied in all (flag from 30.0%); the largest source, "
        "2024 · 某公司 · 电工班, 10.0%.",
    )


# --- which came first ------------------------------------------------------------------------


def test_the_report_shows_both_sides_times_the_archive_year_and_the_mutual_pair(pair, admin_user):
    mine, _, _ = pair

    html = get(admin_user, "report", mine.pk)

    own = re.search(r'<dd class="own-dates">(.*?)</dd>', html, re.S)
    assert own is not None
    assert " ".join(re.sub(r"<[^>]+>", " ", own.group(1)).split()) == (
        "submitted on 2026-04-20 10:31 materials uploaded on 2026-04-18 09:05"
    )
    assert cells_of(html, "source-dates") == [
        "2024 edition",
        "submitted on 2026-04-22 16:00 materials uploaded on 2026-04-21 08:30",
    ]
    marks = re.findall(r'<span class="mutual">(.*?)</span>', html)
    assert marks == ["Mutual overlap: which came first cannot be told"]
    assert '<td class="nowrap"><a href="' in html  # 对照 never breaks in two
    rows = html.split("<tbody>")[1].split("</tr>")
    assert "mutual" not in rows[0]
    assert ARCHIVE_LABEL in rows[0]
    assert 'class="mutual"' in rows[1]
    assert "杭-2026-002 木工班" in rows[1]
    assert "<th>Characters in common</th>" not in html  # a number column
    assert '<th class="num">Characters in common</th>' in html
    assert "Copied characters</th>" not in html.split("<h2>Similar documents</h2>")[1]


def test_the_side_by_side_view_of_a_pair_in_this_edition_names_no_direction(pair, admin_user):
    mine, other, _ = pair

    html = get(admin_user, "side_by_side", mine.pk, "application", other.pk)

    facts = html.split('<dl class="facts">')[1].split("</dl>")[0]
    assert [
        re.sub(r"<[^>]+>", "", dt_).strip() for dt_ in re.findall(r"<dt>(.*?)</dt>", facts)
    ] == [
        "Overlaps with",
        "Text in common",
        "This application",
        "The other application",
    ]
    assert "Copied from" not in html
    assert "copied passage" not in html
    assert '<mark class="sbs-copied">passage in common</mark>' in html
    assert (
        '<div class="message message-warning mutual-note" role="note"><p><strong>'
        "Mutual overlap: which came first cannot be told</strong></p>"
    ) in html
    assert cells_of_dd(html, "own-dates") == (
        "submitted on 2026-04-20 10:31 materials uploaded on 2026-04-18 09:05"
    )
    assert cells_of_dd(html, "source-dates") == (
        "submitted on 2026-04-22 16:00 materials uploaded on 2026-04-21 08:30"
    )
    assert 'aria-label="The passage in the other document"' in html
    assert 'aria-label="The passage in the source"' not in html


def test_the_side_by_side_view_of_an_archive_source_says_copied_from_with_its_year(
    pair, admin_user
):
    mine, _, archive = pair

    html = get(admin_user, "side_by_side", mine.pk, "archive", archive.pk)

    assert "<dt>Copied from this source (2024)</dt>" in html
    assert "<dt>Edition of the source</dt>" in html
    assert cells_of_dd(html, "source-dates") == "2024 edition"
    assert "mutual-note" not in html
    assert "Overlaps with" not in html
    assert '<mark class="sbs-copied">copied passage</mark>' in html


def test_the_check_words_a_pair_in_this_edition_without_a_direction():
    def reason(copy: float, source: float, mutual: bool) -> tuple[str, str]:
        figures = Figures(copy, source, "杭-2026-002 木工班", top_source_mutual=mutual)
        outcome = checks.check_plagiarism(figures, copy_ratio_flag=0.3, source_ratio_flag=0.2)
        return outcome.status, outcome.reason

    assert reason(0.48836, 0.4, True) == (
        CheckStatus.FAIL,
        "40.0% of the text overlaps with one document of this edition, 杭-2026-002 木工班 "
        "(flag from 20.0%); mutual overlap, which came first cannot be told; 48.8% copied in all.",
    )
    assert reason(0.35, 0.15, True) == (
        CheckStatus.WARN,
        "35.0% of the text is copied in all (flag from 30.0%); the largest overlap, with "
        "杭-2026-002 木工班 of this edition, 15.0%.",
    )


def test_the_report_queries_are_bounded(pair, admin_user, django_assert_max_num_queries):
    mine, _, _ = pair
    client = client_for(admin_user)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("screening:report", args=[mine.pk]), **EN)

    assert len(response.context["sources"]) == 2


def cells_of_dd(html: str, css_class: str) -> str:
    found = re.search(rf'<dd class="{css_class}">(.*?)</dd>', html, re.S)
    assert found is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip()
