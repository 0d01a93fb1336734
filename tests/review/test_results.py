"""The expert review's results: which sheets count, the (trimmed) mean and the weighted share,
the spread flag, the experts' leniency and the ICC, the admin's page and its Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from banzu.accounts.models import User
from banzu.audit.models import AuditEntry
from banzu.review import services as review_services
from banzu.review.agreement import Spread
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.review.results import application_result, edition_results, icc_band
from banzu.review.selectors import settings_for
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.services import ItemInput, save_sheet
from tests.conftest import SHANGHAI, client_for
from tests.review.conftest import assign, make_expert, reviewed_application

SUBMITTED_AT = dt.datetime(2026, 5, 20, 9, 30, tzinfo=SHANGHAI)


def points_for(edition, total: D) -> dict[int, ItemInput]:
    """Item points adding up to `total`: every item at its maximum, the shortfall taken from
    the largest items first (the 2026 rubric: 15, 25, 30, 15, 15)."""
    items = list(edition.rubric_items.order_by("position"))
    points = {item.pk: item.max_points for item in items}
    shortfall = sum(points.values()) - total
    for item in sorted(items, key=lambda item: -item.max_points):
        taken = min(shortfall, points[item.pk])
        points[item.pk] -= taken
        shortfall -= taken
    return {pk: ItemInput(value, f"第{pk}项评语") for pk, value in points.items()}


def scored(application, username: str, total: str, *, submit: bool = True, comment: str = ""):
    """An expert with a confirmed assignment and their materials sheet on the application."""
    expert = make_expert(username)
    assign(application, expert)
    return score(application, expert, total, submit=submit, comment=comment)


def score(application, expert, total: str, *, submit: bool = True, comment: str = ""):
    return save_sheet(
        application=application,
        scorer=expert,
        stage=SheetStage.MATERIALS,
        items=points_for(application.edition, D(total)),
        expected_version=None,
        submit=submit,
        overall_comment=comment or f"{expert.username} 的总体评价",
        now=SUBMITTED_AT,
    )


def totals_of(result) -> list[tuple[str, D, bool]]:
    return [(s.expert.username, s.total, s.dropped) for s in result.sheets]


# --- Which sheets count, and the score ----------------------------------------------------------


def test_application_result_is_the_mean_of_three_sheets_weighted_from_the_exact_mean(
    application,
):
    for username, total in (("e1", "85"), ("e2", "86"), ("e3", "86")):
        scored(application, username, total)

    result = application_result(application)

    assert totals_of(result) == [
        ("e1", D("85"), False),
        ("e2", D("86"), False),
        ("e3", D("86"), False),
    ]
    # 257 / 3 = 85.666…: the score rounds to 85.67; the weighted share is 85.666… × 80 / 100 =
    # 68.5333… → 68.53, not 85.67 × 0.8 = 68.536 → 68.54 (rounded once, at the end).
    assert (result.score, result.weighted) == (D("85.67"), D("68.53"))
    assert (result.expected, result.complete, result.flagged) == (3, True, False)
    assert result.spread == Spread(n=3, mean=257 / 3, sd=pytest.approx(0.5773503), range=D("1"))


def test_application_result_keeps_every_item_score(application):
    sheet = scored(application, "e1", "85")
    rubric = list(application.edition.rubric_items.order_by("position"))

    result = application_result(application)

    assert result.sheets[0].sheet == sheet
    assert result.sheets[0].items == {
        rubric[0].pk: D("15"),
        rubric[1].pk: D("25"),
        rubric[2].pk: D("15"),
        rubric[3].pk: D("15"),
        rubric[4].pk: D("15"),
    }


def test_trimmed_mean_of_five_sheets_drops_the_highest_and_the_lowest(application):
    for username, total in (("e1", "80"), ("e2", "95"), ("e3", "70"), ("e4", "84"), ("e5", "82")):
        scored(application, username, total)

    result = application_result(application)

    assert totals_of(result) == [
        ("e1", D("80"), False),
        ("e2", D("95"), True),
        ("e3", D("70"), True),
        ("e4", D("84"), False),
        ("e5", D("82"), False),
    ]
    assert [s.expert.username for s in result.kept] == ["e1", "e4", "e5"]
    # (80 + 84 + 82) / 3 = 82; 82 × 80 / 100 = 65.6
    assert (result.score, result.weighted) == (D("82.00"), D("65.60"))
    assert result.spread is not None
    assert result.spread.range == D("25")


def test_plain_mean_rule_keeps_all_five_sheets(application):
    edition = application.edition
    edition.aggregation_rule = "mean"
    edition.save()
    for username, total in (("e1", "80"), ("e2", "95"), ("e3", "70"), ("e4", "84"), ("e5", "82")):
        scored(application, username, total)

    result = application_result(application)

    assert [s.dropped for s in result.sheets] == [False] * 5
    # 411 / 5 = 82.2; × 0.8 = 65.76
    assert (result.score, result.weighted) == (D("82.20"), D("65.76"))


def test_a_draft_and_the_sheets_of_removed_or_conflicted_experts_do_not_count(
    application, admin_user
):
    for username, total in (("e1", "80"), ("e2", "82"), ("e3", "84")):
        scored(application, username, total)
    scored(application, "drafting", "40", submit=False)
    removed = make_expert("removed")
    assignment = assign(application, removed)
    score(application, removed, "30")
    review_services.remove_assignment(assignment=assignment, by=admin_user, reason="长期未评审")
    conflicted = make_expert("conflicted")
    assign(application, conflicted, AssignmentState.CONFLICT, reason="曾为该单位提供咨询服务")
    score(application, conflicted, "20")

    result = application_result(application)

    assert Assignment.objects.get(expert=removed).state == AssignmentState.REMOVED
    assert application.score_sheets.filter(state=SheetState.SUBMITTED).count() == 5
    assert totals_of(result) == [
        ("e1", D("80"), False),
        ("e2", D("82"), False),
        ("e3", D("84"), False),
    ]
    assert (result.score, result.weighted) == (D("82.00"), D("65.60"))


def test_an_application_without_sheets_has_no_score(application):
    scored(application, "drafting", "40", submit=False)

    result = application_result(application)

    assert (result.sheets, result.score, result.weighted, result.spread) == ([], None, None, None)
    assert (result.flagged, result.complete) == (False, False)


def test_incomplete_with_fewer_sheets_than_experts_per_application(application):
    settings = settings_for(application.edition)
    settings.experts_per_application = 4
    settings.save()
    for username, total in (("e1", "80"), ("e2", "82"), ("e3", "84")):
        scored(application, username, total)

    result = application_result(application)

    assert (len(result.sheets), result.expected, result.complete) == (3, 4, False)


def test_flag_only_above_the_standard_deviation_level(edition):
    wide, level, calm = (reviewed_application(edition=edition) for _n in range(3))
    for application, totals in ((wide, ("60", "80", "100")), (level, ("72", "80", "88"))):
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)
    for number, total in enumerate(("80", "82", "84")):
        scored(calm, f"e{calm.pk}_{number}", total)

    found = {row.application.pk: row for row in edition_results(edition).rows}

    # The default level is an SD of 8.00: 20 is above it, exactly 8 is not.
    assert [(found[a.pk].spread.sd, found[a.pk].flagged) for a in (wide, level, calm)] == [
        (20.0, True),
        (8.0, False),
        (2.0, False),
    ]
    assert edition_results(edition).flagged == 1


# --- The edition ----------------------------------------------------------------------------


def test_edition_results_rank_by_score_with_ties_sharing_a_rank_and_unscored_last(edition):
    low, high, tied, empty = (reviewed_application(edition=edition) for _n in range(4))
    for application, totals in (
        (low, ("80", "82", "84")),
        (high, ("90", "90", "90")),
        (tied, ("81", "82", "83")),
    ):
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)

    found = edition_results(edition)

    assert [(row.application.pk, row.rank, row.score) for row in found.rows] == [
        (high.pk, 1, D("90.00")),
        (low.pk, 2, D("82.00")),
        (tied.pk, 2, D("82.00")),
        (empty.pk, None, None),
    ]
    assert (found.scored, found.ratings) == (3, 9)


def test_leniency_shows_the_generous_expert_first(edition):
    # Named, so the tie between the two strict experts breaks by name the same way in any run
    # (factory names 用户9 and 用户10 sort the other way round).
    strict_a, strict_b, generous = (
        make_expert("strict_a", full_name="严一"),
        make_expert("strict_b", full_name="严二"),
        make_expert("generous", full_name="宽丙"),
    )
    for base in (80, 70, 60):
        application = reviewed_application(edition=edition)
        for expert, total in ((strict_a, base), (strict_b, base), (generous, base + 6)):
            assign(application, expert)
            score(application, expert, str(total))

    found = edition_results(edition)

    # The generous expert is 6 above the other two each time; each of them is 3 below the
    # mean of the other two (80 − (80 + 86) / 2 = −3).
    assert [(row.expert.username, row.n, row.mean_deviation) for row in found.leniency] == [
        ("generous", 3, 6.0),
        ("strict_a", 3, -3.0),
        ("strict_b", 3, -3.0),
    ]


def test_icc_of_three_applications_worked_by_hand(edition):
    for totals in (("80", "82", "84"), ("70", "72", "74"), ("90", "92", "94")):
        application = reviewed_application(edition=edition)
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)

    icc = edition_results(edition).icc

    # Means 82, 72, 92 around 82: BMS = 3 × (0 + 100 + 100) / 2 = 300; WMS = 3 × 8 / 6 = 4.
    assert icc is not None
    assert (icc.bms, icc.wms, icc.k0, icc.applications, icc.ratings) == (300.0, 4.0, 3.0, 3, 9)
    assert icc.single == pytest.approx(296 / 308)
    assert icc.average == pytest.approx(296 / 300)


@pytest.mark.parametrize(
    ("value", "band"),
    [(-0.2, "poor"), (0.49, "poor"), (0.5, "moderate"), (0.75, "good"), (0.9, "excellent")],
)
def test_icc_band_follows_koo_and_li(value, band):
    assert icc_band(value) == band


@pytest.mark.parametrize("applications", [1, 3])
def test_edition_results_take_five_queries_whatever_the_number_of_applications(
    edition, applications, django_assert_num_queries
):
    settings_for(edition)
    experts = [make_expert(f"e{number}") for number in range(3)]
    for _n in range(applications):
        application = reviewed_application(edition=edition)
        for expert, total in zip(experts, ("80", "82", "84"), strict=True):
            assign(application, expert)
            score(application, expert, total)

    # The settings, the rubric, the applications, the counted sheets and their item scores.
    with django_assert_num_queries(5):
        found = edition_results(edition)

    assert [row.score for row in found.rows] == [D("82.00")] * applications
    assert [row.expert.username for row in found.leniency] == ["e2", "e1", "e0"]


# --- The page -------------------------------------------------------------------------------


def results_html(user) -> str:
    response = client_for(user).get(reverse("review:results"))
    assert response.status_code == 200
    return response.content.decode()


def test_page_ranks_applications_with_their_sheets_and_marks_dropped_ones(application, admin_user):
    for username, total in (("e1", "80"), ("e2", "95"), ("e3", "70"), ("e4", "84"), ("e5", "82")):
        scored(application, username, total)

    html = results_html(admin_user)

    assert (
        f'<a href="/review/applications/{application.pk}/">{application.recommendation_number}</a>'
        in html
    )
    assert (
        '<ul class="sheet-totals"><li>80</li><li><del>95</del><span class="visually-hidden">'
        ' (dropped)</span></li><li><del>70</del><span class="visually-hidden"> (dropped)</span>'
        "</li><li>84</li><li>82</li></ul>"
    ) in html
    assert '<span class="sheets-count">5 / 3</span>' in html
    assert "<strong>82.00</strong>" in html
    assert '<td class="num" data-label="Weighted share">65.60</td>' in html
    # The flag sits under the SD it is about: no column of its own to squeeze (issue 17, item 13).
    assert '<td class="num sd" data-label="SD">8.96<br><span class="flag-mark"' in html
    assert '<td class="num" data-label="max − min">25</td>' in html
    # SD 8.96 is above 8.00
    assert '<tr class="row-flagged">' in html
    assert "Above the level</span>" in html


def test_page_says_in_plain_words_that_the_experts_agree_and_keeps_the_formulas_folded(
    edition, admin_user
):
    for totals in (("80", "82", "84"), ("70", "72", "74"), ("90", "92", "94")):
        application = reviewed_application(edition=edition)
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)

    html = results_html(admin_user)

    assert (
        '<p class="agreement-verdict verdict-excellent">The experts agree very well: an '
        "application that one expert scores high, the others score high too. The ranking can be "
        "relied on.</p>"
    ) in html
    assert "No application's experts are further apart than the set level." in html
    folded = html[html.index('<details class="formula-details">') : html.index("</details>")]
    assert "<p>ICC(1,1) = (BMS − WMS) / (BMS + (k₀ − 1) · WMS)</p>" in folded
    assert "Shrout & Fleiss (1979), case 1" in folded
    assert '<tr><th>BMS</th><td class="num">300.00</td>' in folded


def test_page_explains_a_negative_icc_and_lists_the_applications_to_check(edition, admin_user):
    # Means 75 and 76, experts 28 to 30 points apart: BMS 1, WMS 421, ICC(1,1) = −420 / 422.
    close = []
    for totals in (("60", "90"), ("62", "90")):
        application = reviewed_application(edition=edition)
        close.append(application)
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)

    html = results_html(admin_user)

    assert '<p class="agreement-verdict verdict-poor">The experts agree poorly:' in html
    assert (
        "The agreement figure is below zero (−0.995). This is not a fault in the calculation: "
        "the experts of one application are further apart than the applications are from one "
        "another"
    ) in html
    assert "Check these 2 applications: their experts' totals are further apart" in html
    assert (
        f'<li><a href="/review/applications/{close[1].pk}/">{close[1].recommendation_number} '
        f'{close[1].team.name}</a> <span class="muted small">SD 19.80, totals 28 points apart'
        "</span></li>"
    ) in html


def test_page_shows_the_icc_with_its_formula_and_reading(edition, admin_user):
    for totals in (("80", "82", "84"), ("70", "72", "74"), ("90", "92", "94")):
        application = reviewed_application(edition=edition)
        for number, total in enumerate(totals):
            scored(application, f"e{application.pk}_{number}", total)

    html = results_html(admin_user)

    assert (
        '<tr><th>ICC(1,1)</th><td class="num icc-single">0.961</td>'
        '<td class="icc-band">excellent agreement</td></tr>'
    ) in html
    assert (
        '<tr><th>ICC(1,k)</th><td class="num icc-average">0.987</td>'
        '<td class="icc-band">excellent agreement</td></tr>'
    ) in html
    assert "<p>ICC(1,1) = (BMS − WMS) / (BMS + (k₀ − 1) · WMS)</p>" in html
    assert "Shrout & Fleiss (1979), case 1" in html
    assert "Reading (Koo & Li 2016)" in html
    assert '<tr><th>BMS</th><td class="num">300.00</td>' in html
    assert '<tr><th>WMS</th><td class="num">4.00</td>' in html
    assert '<tr><th>k₀</th><td class="num">3.00</td>' in html
    # The spread chart: three bars of SD 2.00 under the flag line at 8.00 on a 0–10 axis
    # drawn from x 150 to 576: 150 + 8 × 42.6.
    assert html.count('<rect class="bar-calm"') == 3
    assert '<line class="flag-line" x1="490.8"' in html


def test_page_draws_the_leniency_chart_and_table(edition, admin_user):
    # Named, so the tie between the two strict experts breaks by name the same way in any run
    # (factory names 用户9 and 用户10 sort the other way round).
    strict_a, strict_b, generous = (
        make_expert("strict_a", full_name="严一"),
        make_expert("strict_b", full_name="严二"),
        make_expert("generous", full_name="宽丙"),
    )
    for base in (80, 70):
        application = reviewed_application(edition=edition)
        for expert, total in ((strict_a, base), (strict_b, base), (generous, base + 6)):
            assign(application, expert)
            score(application, expert, str(total))

    html = results_html(admin_user)

    assert (
        f'<td data-label="Expert">{generous.display_name}</td>\n'
        '      <td class="num" data-label="Applications compared">2</td>\n'
        '      <td class="num" data-label="Mean deviation (points)">+6.00</td>'
    ) in html
    assert '<td class="num" data-label="Mean deviation (points)">-3.00</td>' in html
    assert html.count('<rect class="bar-up"') == 1
    assert html.count('<rect class="bar-down"') == 2
    assert '<title id="leniency-chart-title">' in html
    assert 'style="' not in html


def test_page_query_count_does_not_grow_with_applications(
    edition, admin_user, django_assert_num_queries
):
    experts = [make_expert(f"e{number}") for number in range(3)]

    def application_with_sheets():
        application = reviewed_application(edition=edition)
        for expert, total in zip(experts, ("80", "82", "84"), strict=True):
            assign(application, expert)
            score(application, expert, total)

    settings_for(edition)
    application_with_sheets()
    client = client_for(admin_user)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("review:results"))
    application_with_sheets()
    application_with_sheets()

    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("review:results"))

    assert response.content.decode().count("<strong>82.00</strong>") == 3


# --- The export -----------------------------------------------------------------------------


def _table(sheet) -> list[tuple]:
    """The sheet's table: its rows from the frozen header on."""
    header = int(sheet.freeze_panes[1:]) - 1
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows(min_row=header)]


def test_export_has_the_ranking_every_item_score_the_leniency_and_the_icc(edition, admin_user):
    first = reviewed_application(edition=edition, team__name="钢筋一班")
    second = reviewed_application(edition=edition, team__name="木工二班")
    for application, totals in ((first, ("85", "86", "86")), (second, ("70", "72", "74"))):
        for number, total in enumerate(totals):
            comment = '=HYPERLINK("http://evil.example","点击")' if number == 0 else ""
            scored(application, f"e{application.pk}_{number}", total, comment=comment)

    response = client_for(admin_user).get(reverse("review:results_xlsx"))

    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''{quote('专家评审结果_2026.xlsx')}"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["得分排名", "评审表明细", "专家宽严度", "评分一致性"]
    ranking = book["得分排名"]
    assert [ranking.cell(row, 1).value for row in (1, 3)] == [
        "2026 年度质量信得过班组专家评审结果",
        "一、材料评审得分排名",
    ]
    rows = _table(ranking)
    assert rows[0] == (
        "排名", "推荐编号", "班组名称", "单位名称", "有效评审表", "应评专家数",
        "材料得分\n（满分100）", "折算得分\n（满分80）", "标准差", "极差", "离散超限",
    )  # fmt: skip
    assert rows[1:] == [
        (1, first.recommendation_number, "钢筋一班", first.team.enterprise.name, 3, 3,
         85.67, 68.53, 0.58, 1, "否"),
        (2, second.recommendation_number, "木工二班", second.team.enterprise.name, 3, 3,
         72, 57.6, 2, 4, "否"),
    ]  # fmt: skip
    details = book["评审表明细"]
    rows = _table(details)
    assert rows[0][4:9] == (
        "1. 需求确定\n（15）",
        "2. 建设策划\n（25）",
        "3. 建设过程\n（30）",
        "4. 建设成效\n（15）",
        "5. 特色\n（15）",
    )
    expert = User.objects.get(username=f"e{first.pk}_0")
    assert rows[1][:4] == (1, first.recommendation_number, "钢筋一班", expert.display_name)
    # The 2026 rubric (15, 25, 30, 15, 15) with 15 points short taken from item 3.
    assert rows[1][4:11] == (15, 25, 15, 15, 15, 85, "否")
    assert rows[1][11:] == ('=HYPERLINK("http://evil.example","点击")', "2026-05-20 09:30")
    # Text from data is never a live formula.
    assert details.cell(row=details.max_row - 5, column=12).data_type == "s"
    assert [row[9] for row in rows[1:]] == [85, 86, 86, 70, 72, 74]
    assert all(isinstance(value, int | float) for row in rows[1:] for value in row[4:10])
    rows = _table(book["专家宽严度"])
    assert rows[0] == ("序号", "评审专家", "比较的申报数", "平均偏差")
    # e_0 is 1 below the others on the first application, 3 on the second; e_2 3 above.
    assert [row[3] for row in rows[1:]] == [3, 0.5, 0.5, 0, -1, -3]
    rows = _table(book["评分一致性"])
    # BMS = 280.1667, WMS = 2.1667, k0 = 3: ICC(1,1) = 278 / 284.5, ICC(1,k) = 278 / 280.1667.
    assert rows[:3] == [
        ("指标", "数值", "解读"),
        ("ICC(1,1) 单个专家", 0.9772, "优秀"),
        ("ICC(1,k) 专家平均分", 0.9923, "优秀"),
    ]
    assert [row[1] for row in rows[3:8]] == [3, 280.1667, 2.1667, 2, 6]
    assert rows[-2][0].startswith("ICC(1,1) = (BMS − WMS)")
    assert AuditEntry.objects.filter(action="export.review_results").get().data == {
        "format": "xlsx",
        "applications": 2,
        "sheets": 6,
    }


def test_export_freezes_and_prints_each_sheets_header(edition, admin_user):
    application = reviewed_application(edition=edition, team__name="钢筋一班")
    for number, total in enumerate(("85", "86", "86")):
        scored(application, f"e{number}", total)

    response = client_for(admin_user).get(reverse("review:results_xlsx"))

    book = load_workbook(io.BytesIO(response.content))
    # Title, association and date, the section's heading, a note: the header is row 5.
    assert [
        (
            sheet.title,
            sheet.freeze_panes,
            sheet.print_title_rows,
            sheet.page_setup.orientation,
            sheet.page_setup.fitToWidth,
            sheet.page_setup.fitToHeight,
            sheet.sheet_properties.pageSetUpPr.fitToPage,
        )
        for sheet in book.worksheets
    ] == [
        ("得分排名", "A6", "$5:$5", "landscape", 1, 0, True),
        ("评审表明细", "A6", "$5:$5", "landscape", 1, 0, True),
        ("专家宽严度", "A6", "$5:$5", "portrait", 1, 0, True),
        ("评分一致性", "A5", "$4:$4", "portrait", 1, 0, True),
    ]


def test_export_rows_are_as_tall_as_their_wrapped_text(edition, admin_user):
    application = reviewed_application(
        edition=edition,
        team__name="钢筋绑扎与预应力张拉质量控制攻关班组",
        team__enterprise__name="浙江省建工集团有限责任公司第三工程分公司杭州湾新区项目部",
    )
    scored(application, "e0", "85", comment="过程记录翔实。" * 10)

    response = client_for(admin_user).get(reverse("review:results_xlsx"))

    book = load_workbook(io.BytesIO(response.content))
    ranking, details = book["得分排名"], book["评审表明细"]
    # The header's two-term labels take two lines of 16 points and 4 of padding. The
    # enterprise's name (56 Latin widths) takes three lines of its 30-wide column (27.3 widths
    # a line): 3 × 16 + 4.
    assert (ranking.row_dimensions[5].height, ranking.row_dimensions[6].height) == (36, 52)
    # The comment (140 widths) takes four lines of its 44-wide column (40.4 widths a line).
    assert details.row_dimensions[6].height == 4 * 16 + 4
    assert ranking.column_dimensions["A"].width == 6


# --- Who may see them -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    [
        "applicant_a",
        "applicant_b",
        "recommender_hz",
        "recommender_nb",
        "expert_assigned",
        "expert_unassigned",
        "expert_conflicted",
        "anonymous",
    ],
)
@pytest.mark.parametrize("name", ["results", "results_xlsx"])
def test_results_are_404_to_everyone_but_the_provincial_admin(request, application, persona, name):
    scored(application, "e1", "85")
    user = None if persona == "anonymous" else request.getfixturevalue(persona)

    response = client_for(user).get(reverse(f"review:{name}"))

    assert response.status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied").get()
    assert (denied.actor_id, denied.data["object"]) == (
        user.pk if user else None,
        "review results",
    )
    assert AuditEntry.objects.filter(action="export.review_results").count() == 0
