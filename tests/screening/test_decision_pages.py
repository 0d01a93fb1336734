"""Issue 17, item 6: the screening's pages read as the screening's — the decision page's
heading, the automatic checks' card, the marks in words — and the similarity report leads back
to the workspace and the decision, prints without the site's navigation, and exports."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from banzu.screening.enums import CheckCode, CheckStatus
from banzu.screening.models import CheckResult, SimilarityReport
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.screening.conftest import all_checks_pass, submit_batch

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two(open_edition, hangzhou, recommender_hz, tmp_path):
    first = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    second = make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    submit_batch(first, recommender_hz)
    return first, second


@pytest.fixture
def reported(two):
    first, second = two
    SimilarityReport.objects.create(
        application=first,
        chars=1000,
        copied_chars=250,
        copy_ratio="0.2500",
        max_source_ratio="0.2500",
        copy_ratio_excluding_self="0.2500",
        text="甲" * 1000,
        sources=[
            {
                "kind": "application",
                "pk": second.pk,
                "label": "杭-2026-002 木工班",
                "same_owner": False,
                "copied_chars": 250,
                "ratio": 0.25,
                "passages": [[0, 250, 0, 250]],
            }
        ],
    )
    return first


def h1(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found is not None
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_decision_page_is_headed_as_the_screening_decision(two, admin_user):
    first, _ = two

    page = client_for(admin_user).get(reverse("screening:decide", args=[first.pk]), **EN)

    html = page.content.decode()
    assert h1(html) == "Screening decision: 杭-2026-001 · 钢筋班 Recommended"
    assert "<h2>Screening decision</h2>" in html
    assert "<h2>Decision</h2>" not in html


def test_the_decision_page_in_chinese_does_not_read_as_the_recommenders(two, admin_user):
    first, _ = two

    with translation.override("zh-hans"):
        page = client_for(admin_user).get(
            reverse("screening:decide", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )

    assert "推荐决定" not in page.content.decode()


def test_the_checks_card_says_they_have_not_run(two, admin_user):
    page = client_for(admin_user).get(reverse("screening:workspace"), **EN)

    html = page.content.decode()
    assert '<p class="not-run">The automatic checks have not run yet.</p>' in html
    assert "Import finished" not in html


def test_the_checks_card_says_when_they_ran_and_how_they_came_out(two, admin_user):
    first, second = two
    all_checks_pass(first)
    all_checks_pass(second)
    CheckResult.objects.filter(application=second, code=CheckCode.WORD_PDF).update(
        status=CheckStatus.FAIL
    )
    when = timezone.localtime(CheckResult.objects.latest("checked_at").checked_at)

    page = client_for(admin_user).get(reverse("screening:workspace"), **EN)

    counts = page.context["check_counts"]
    assert (counts.checked, counts.clean, counts.failed, counts.to_look_at, counts.pending) == (
        2,
        1,
        1,
        0,
        0,
    )
    html = page.content.decode()
    assert f"Last run {when:%Y-%m-%d %H:%M}: 2 applications checked." in html
    assert (
        '<dt><span class="mark mark-fail"><span aria-hidden="true">✗</span> A check failed</span>'
        "</dt><dd>1</dd>"
    ) in html


def test_the_marks_carry_their_words_on_every_screen(two, admin_user):
    first, _ = two
    all_checks_pass(first)
    CheckResult.objects.filter(application=first, code=CheckCode.PLAGIARISM).update(
        status=CheckStatus.WARN, reason="总复制比 31%"
    )

    html = client_for(admin_user).get(reverse("screening:workspace"), **EN).content.decode()
    decide = client_for(admin_user).get(reverse("screening:decide", args=[first.pk]), **EN)

    assert '<span class="mark mark-pass"><span aria-hidden="true">✓</span> 8 passed</span>' in html
    assert (
        '<span class="mark mark-warn" title="总复制比 31%"><span aria-hidden="true">!</span> '
        "Originality: Check</span>"
    ) in html
    assert 'visually-hidden">Originality' not in html
    assert (
        '<span class="mark mark-warn"><span aria-hidden="true">!</span> Check</span> 总复制比 31%'
    ) in decide.content.decode()


def test_the_report_leads_back_to_the_workspace_and_the_decision(reported, admin_user):
    html = (
        client_for(admin_user)
        .get(reverse("screening:report", args=[reported.pk]), **EN)
        .content.decode()
    )

    assert f'<a href="{reverse("screening:workspace")}">Back to the screening</a>' in html
    decide = reverse("screening:decide", args=[reported.pk])
    assert f'<a href="{decide}#decision">To this application\'s screening decision</a>' in html
    for fmt in ("pdf", "xlsx"):
        assert f'href="{reverse("screening:report_export", args=[reported.pk, fmt])}"' in html


def test_the_report_prints_without_the_site_navigation():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "screening.css").read_text()

    printed = css[css.index("@media print") :]
    assert ".site-header, .site-nav, .site-footer, .report-links, .report-actions" in printed
    assert "display: none !important" in printed


def test_the_report_exports_to_excel(two, reported, admin_user):
    second = two[1]
    second.refresh_from_db()
    response = client_for(admin_user).get(
        reverse("screening:report_export", args=[reported.pk, "xlsx"])
    )

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == ["2026 年度质量信得过班组申报材料查重报告"]
    assert ["总文字复制比：25.0%"] in cells
    header = ["序号", "相似文献", "来源类别", "提交时间或年度", "先后", "同一单位", "重复字数"]
    assert [*header, "复制比", "片段"] in cells
    submitted = f"{timezone.localtime(second.submitted_at):%Y-%m-%d %H:%M}"
    mutual = "相互重复，无法判断先后"
    assert [1, "杭-2026-002 木工班", "本年度", submitted, mutual, "否", 250, "25.0%", 1] in cells


def test_the_report_exports_to_pdf(reported, admin_user):
    response = client_for(admin_user).get(
        reverse("screening:report_export", args=[reported.pk, "pdf"])
    )

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response.content[:5] == b"%PDF-"


@pytest.mark.parametrize("persona", ["recommender_hz", "applicant_a", "expert"])
def test_the_report_export_is_404_outside_the_province(request, reported, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse("screening:report_export", args=[reported.pk, "xlsx"]))

    assert response.status_code == 404


def test_an_unknown_export_format_or_a_missing_report_is_404(two, reported, admin_user):
    client = client_for(admin_user)

    docx = client.get(reverse("screening:report_export", args=[reported.pk, "docx"]))
    unscanned = client.get(reverse("screening:report_export", args=[two[1].pk, "xlsx"]))

    assert (docx.status_code, unscanned.status_code) == (404, 404)
