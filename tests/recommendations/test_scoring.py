"""The recommender's preliminary scoring: the pure core, the score sheet page for each persona,
per-item refusals, the lock on submission, stale saves, the aggregate, and applicants' blindness."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.accounts.enums import Role
from banzu.applications import services as application_services
from banzu.editions.enums import AggregationRule
from banzu.recommendations import services
from banzu.recommendations.enums import BatchState
from banzu.scoring import core
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ItemScore, ScoreSheet
from banzu.scoring.services import ScoringError
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory, UserFactory
from tests.recommendations.conftest import score

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
D = Decimal


# --- the pure core --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("points", "code"),
    [(D("15.5"), "over_max"), (D("-0.5"), "negative"), (D("7.25"), "step"), (D("0.1"), "step")],
)
def test_core_check_points_refuses(points, code):
    with pytest.raises(core.PointsError) as refused:
        core.check_points(points, D("15"))
    assert refused.value.code == code


@pytest.mark.parametrize("points", [D("0"), D("0.5"), D("7"), D("14.5"), D("15"), D("15.0")])
def test_core_check_points_accepts_half_steps_up_to_max(points):
    assert core.check_points(points, D("15")) == points


def test_core_sheet_total_adds_exactly():
    assert core.sheet_total([D("14.5"), D("24.5"), D("30"), D("0.5"), D("15")]) == D("84.5")


def test_core_aggregate_empty_is_none():
    assert core.aggregate([], rule=core.Rule.TRIMMED_MEAN, trim_min=5) is None


def test_core_aggregate_mean_rounds_half_up_at_the_end():
    # 641 / 8 = 80.125: half up gives 80.13 where banker's rounding would give 80.12.
    totals = [D("80")] * 7 + [D("81")]
    assert core.aggregate(totals, rule=core.Rule.MEAN, trim_min=5) == D("80.13")


def test_core_aggregate_mean_of_three():
    assert core.aggregate([D("80"), D("85"), D("71")], rule=core.Rule.MEAN, trim_min=5) == D(
        "78.67"
    )


def test_core_trimmed_mean_below_trim_min_is_the_plain_mean():
    totals = [D("50"), D("70"), D("80"), D("99")]
    assert core.aggregate(totals, rule=core.Rule.TRIMMED_MEAN, trim_min=5) == D("74.75")


def test_core_trimmed_mean_drops_one_highest_and_one_lowest():
    totals = [D("99"), D("50"), D("71"), D("80"), D("70")]
    assert core.aggregate(totals, rule=core.Rule.TRIMMED_MEAN, trim_min=5) == D("73.67")
    assert core.aggregate(totals, rule=core.Rule.MEAN, trim_min=5) == D("74.00")


def test_core_trimmed_mean_drops_only_one_of_equal_extremes():
    totals = [D("60"), D("60"), D("70"), D("90"), D("90")]
    assert core.aggregate(totals, rule=core.Rule.TRIMMED_MEAN, trim_min=5) == D("73.33")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture
def submitted(applicant_a, hangzhou, tmp_path, open_edition):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    application = ApplicationFactory(team=team, created_by=applicant_a, recommender=hangzhou)
    application = make_complete(application, tmp_path)
    return application_services.submit_application(application=application, user=applicant_a)


@pytest.fixture
def rubric(submitted):
    return list(submitted.edition.rubric_items.all())


def _staff(recommender):
    return UserFactory(role=Role.RECOMMENDER, recommender=recommender)


def _post(rubric, points, *, version=1, action="save", comments=None):
    data = {"version": str(version), "action": action}
    for item, value in zip(rubric, points, strict=True):
        data[f"points_{item.pk}"] = value
        data[f"comment_{item.pk}"] = (comments or {}).get(item.position, "")
    return data


def _url(application):
    return reverse("recommendations:score", args=[application.pk])


def _sheet_rows(sheet):
    return [(s.rubric_item.position, s.points, s.comment) for s in sheet.items.order_by("pk")]


# --- who may open the sheet -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("recommender_hz", 200),
        ("admin_user", 200),
        ("recommender_nb", 404),
        ("applicant_b", 404),
        ("expert", 404),
        ("applicant_a", 404),
    ],
)
def test_score_sheet_get_by_persona(request, submitted, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(_url(submitted), **EN)
    assert response.status_code == status


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 403),
        ("recommender_nb", 404),
        ("applicant_b", 404),
        ("expert", 404),
        ("applicant_a", 404),
    ],
)
def test_score_sheet_post_by_others_saves_nothing(request, submitted, rubric, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        _url(submitted), _post(rubric, ["10", "20", "25", "10", "10"])
    )
    assert response.status_code == status
    assert ScoreSheet.objects.count() == 0


@pytest.mark.django_db
def test_score_sheet_anonymous_goes_to_login(client, submitted):
    response = client.get(_url(submitted))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


@pytest.mark.django_db
def test_score_sheet_shows_each_item_with_its_criteria_and_cap(submitted, rubric, recommender_hz):
    text = client_for(recommender_hz).get(_url(submitted), **EN).content.decode()

    for item in rubric:
        for line in item.criteria_lines():
            assert f"<li>{line}</li>" in text
        assert (
            f'<input type="number" name="points_{item.pk}" step="0.5" min="0" '
            f'max="{item.max_points}" inputmode="decimal" id="id_points_{item.pk}">'
        ) in text
    assert "max. 30 points" in text
    assert '<input type="hidden" name="version" value="1" id="id_version">' in text
    assert '<button class="button" type="submit" name="action" value="submit">' in text


@pytest.mark.django_db
def test_admin_reads_the_submitted_sheets_only(submitted, recommender_hz, hangzhou, admin_user):
    score(submitted, recommender_hz, 80)
    drafting = _staff(hangzhou)
    score(submitted, drafting, 60, submit=False)

    text = client_for(admin_user).get(_url(submitted), **EN).content.decode()

    assert f'<th class="num">{recommender_hz.display_name}</th>' in text
    assert drafting.display_name not in text
    assert '<th class="num">80.0</th>' in text
    assert '<strong class="preliminary-score">80.00</strong>' in text
    assert 'name="action"' not in text


# --- saving and submitting ------------------------------------------------------------------


@pytest.mark.django_db
def test_save_draft_stores_items_comments_and_total(submitted, rubric, recommender_hz):
    response = client_for(recommender_hz).post(
        _url(submitted),
        _post(rubric, ["12", "20.5", "25", "10", "13"], comments={2: "  计划具体 "}),
        follow=True,
        **EN,
    )

    sheet = ScoreSheet.objects.get()
    assert (sheet.scorer, sheet.stage, sheet.state, sheet.total, sheet.version) == (
        recommender_hz,
        SheetStage.RECOMMENDER,
        SheetState.DRAFT,
        D("80.5"),
        2,
    )
    assert _sheet_rows(sheet) == [
        (1, D("12"), ""),
        (2, D("20.5"), "计划具体"),
        (3, D("25"), ""),
        (4, D("10"), ""),
        (5, D("13"), ""),
    ]
    text = response.content.decode()
    assert "Draft saved: 80.5 points." in text
    assert '<strong class="sheet-total">80.5</strong> / 100' in text
    assert 'value="20.5"' in text
    assert '<input type="hidden" name="version" value="2" id="id_version">' in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15.5", "At most 15 points."),
        ("7.25", "Use whole or half points (e.g. 12 or 12.5)."),
        ("-1", "Points cannot be negative."),
        ("", "Give a score for this item."),
        ("abc", "Enter a number."),
    ],
)
def test_invalid_points_refused_beside_the_item_keeping_every_value(
    submitted, rubric, recommender_hz, typed, message
):
    response = client_for(recommender_hz).post(
        _url(submitted),
        _post(rubric, [typed, "20.5", "25", "10", "13"], comments={1: "需求清晰", 3: "过程扎实"}),
        **EN,
    )

    text = response.content.decode()
    assert response.status_code == 200
    first = rubric[0].pk
    assert f'<ul class="errorlist" id="id_points_{first}_error"><li>{message}</li></ul>' in text
    assert text.count('<ul class="errorlist" id="id_points_') == 1
    assert all(f'value="{v}"' in text for v in ("20.5", "25", "10", "13"))
    assert ["需求清晰</textarea>" in text, "过程扎实</textarea>" in text] == [True, True]
    assert (ScoreSheet.objects.count(), ItemScore.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_several_invalid_items_each_get_their_message(submitted, rubric, recommender_hz):
    text = (
        client_for(recommender_hz)
        .post(_url(submitted), _post(rubric, ["16", "25.5", "-0.5", "10", "9.9"]), **EN)
        .content.decode()
    )

    errors = [
        text.split(f'id="id_points_{item.pk}_error"><li>')[1].split("</li>")[0]
        for item in rubric
        if f'id="id_points_{item.pk}_error"' in text
    ]
    assert errors == [
        "At most 15 points.",
        "At most 25 points.",
        "Points cannot be negative.",
        "Use whole or half points (e.g. 12 or 12.5).",
    ]
    assert ScoreSheet.objects.count() == 0


@pytest.mark.django_db
def test_submit_locks_the_sheet(submitted, rubric, recommender_hz):
    client = client_for(recommender_hz)
    submitted_page = client.post(
        _url(submitted),
        _post(rubric, ["12", "20", "25", "10", "13"], action="submit") | {"confirmed": "yes"},
        follow=True,
        **EN,
    )

    sheet = ScoreSheet.objects.get()
    assert (sheet.state, sheet.total, sheet.version) == (SheetState.SUBMITTED, D("80"), 2)
    text = submitted_page.content.decode()
    assert "Score sheet submitted with 80.0 points. It is now locked." in text
    assert "You have submitted this score sheet; it is locked." in text
    assert 'name="action"' not in text
    assert (
        f'<input type="number" name="points_{rubric[0].pk}" value="12.0" step="0.5" min="0" '
        f'max="15.0" inputmode="decimal" disabled id="id_points_{rubric[0].pk}">'
    ) in text

    again = client.post(
        _url(submitted), _post(rubric, ["15", "25", "30", "15", "15"], version=2), **EN
    )

    assert "You have submitted this score sheet; it is locked." in again.content.decode()
    sheet.refresh_from_db()
    assert (sheet.total, sheet.version, [r[1] for r in _sheet_rows(sheet)]) == (
        D("80"),
        2,
        [D("12"), D("20"), D("25"), D("10"), D("13")],
    )


@pytest.mark.django_db
def test_service_refuses_a_second_save_of_a_submitted_sheet(submitted, recommender_hz):
    sheet = score(submitted, recommender_hz, 80)
    with pytest.raises(ScoringError) as refused:
        score(submitted, recommender_hz, 90)
    assert refused.value.code == "locked"
    sheet.refresh_from_db()
    assert (sheet.total, sheet.version) == (D("80"), 2)


@pytest.mark.django_db
def test_stale_save_is_refused_and_keeps_what_was_typed(submitted, rubric, recommender_hz):
    first_tab, second_tab = client_for(recommender_hz), client_for(recommender_hz)
    first_tab.post(_url(submitted), _post(rubric, ["12", "20", "25", "10", "13"], version=1))

    response = second_tab.post(
        _url(submitted), _post(rubric, ["14", "24", "28", "14", "14"], version=1), **EN
    )

    text = response.content.decode()
    assert "This sheet was saved elsewhere in the meantime. Reload it and try again." in text
    assert all(f'value="{v}"' in text for v in ("14", "24", "28"))
    sheet = ScoreSheet.objects.get()
    assert (sheet.total, sheet.version) == (D("80"), 2)


@pytest.mark.django_db
def test_scoring_refused_after_batch_submitted(
    submitted, rubric, recommender_hz, hangzhou, open_edition
):
    services.transition_batch(
        services.batch_for(open_edition, hangzhou), to=BatchState.SUBMITTED, actor=recommender_hz
    )
    client = client_for(recommender_hz)

    page = client.get(_url(submitted), **EN).content.decode()
    response = client.post(_url(submitted), _post(rubric, ["12", "20", "25", "10", "13"]), **EN)

    assert "The batch has been submitted to the province" in page
    assert 'name="action"' not in page
    text = response.content.decode()
    assert "scores can no longer change unless the provincial admin reopens it." in text
    assert 'value="20"' in text
    assert ScoreSheet.objects.count() == 0


@pytest.mark.django_db
def test_scoring_refused_once_the_application_is_declined(submitted, rubric, recommender_hz):
    services.decline_application(application=submitted, actor=recommender_hz, reason="不推荐")

    response = client_for(recommender_hz).post(
        _url(submitted), _post(rubric, ["12", "20", "25", "10", "13"]), **EN
    )

    assert "Only submitted or recommended applications are scored." in response.content.decode()
    assert ScoreSheet.objects.count() == 0


@pytest.mark.django_db
def test_recommended_application_can_still_be_scored(submitted, rubric, recommender_hz):
    services.recommend_application(application=submitted, actor=recommender_hz)
    client_for(recommender_hz).post(_url(submitted), _post(rubric, ["12", "20", "25", "10", "13"]))
    assert ScoreSheet.objects.get().total == D("80")


# --- the preliminary score ------------------------------------------------------------------


def _preliminary_on_review(application, user):
    text = (
        client_for(user)
        .get(reverse("recommendations:review", args=[application.pk]), **EN)
        .content.decode()
    )
    return text.split('<strong class="preliminary-score">')[1].split("<")[0]


def _score_on_list(user):
    text = client_for(user).get(reverse("recommendations:list")).content.decode()
    return text.split('<span class="score">')[1].split("<")[0]


@pytest.mark.django_db
def test_preliminary_score_is_the_mean_of_submitted_sheets(submitted, recommender_hz, hangzhou):
    score(submitted, recommender_hz, 80)
    score(submitted, _staff(hangzhou), 85)
    score(submitted, _staff(hangzhou), 71)
    score(submitted, _staff(hangzhou), 10, submit=False)  # a draft does not count

    assert (
        _preliminary_on_review(submitted, recommender_hz),
        _score_on_list(recommender_hz),
    ) == ("78.67", "78.67")


@pytest.mark.django_db
def test_preliminary_score_with_five_sheets_drops_highest_and_lowest(
    submitted, recommender_hz, hangzhou
):
    score(submitted, recommender_hz, 99)
    for total in (50, 71, 80, 70):
        score(submitted, _staff(hangzhou), total)

    assert (
        _preliminary_on_review(submitted, recommender_hz),
        _score_on_list(recommender_hz),
    ) == ("73.67", "73.67")


@pytest.mark.django_db
def test_preliminary_score_follows_the_editions_rule(
    submitted, recommender_hz, hangzhou, open_edition
):
    open_edition.aggregation_rule = AggregationRule.MEAN
    open_edition.save()
    score(submitted, recommender_hz, 99)
    for total in (50, 71, 80, 70):
        score(submitted, _staff(hangzhou), total)

    assert _preliminary_on_review(submitted, recommender_hz) == "74.00"


@pytest.mark.django_db
def test_preliminary_score_rounds_half_up(submitted, recommender_hz, hangzhou, open_edition):
    open_edition.aggregation_rule = AggregationRule.MEAN
    open_edition.save()
    score(submitted, recommender_hz, D("80.5"))
    score(submitted, _staff(hangzhou), D("80"))
    score(submitted, _staff(hangzhou), D("80"))
    score(submitted, _staff(hangzhou), D("80"))
    # 321 / 4 = 80.125 -> 80.13
    assert _preliminary_on_review(submitted, recommender_hz) == "80.13"


@pytest.mark.django_db
def test_applicants_never_see_preliminary_scores(submitted, recommender_hz, hangzhou, applicant_a):
    score(submitted, recommender_hz, D("63.5"))
    score(submitted, _staff(hangzhou), D("63.5"))
    services.recommend_application(application=submitted, actor=recommender_hz)
    assert _preliminary_on_review(submitted, recommender_hz) == "63.50"
    client = client_for(applicant_a)

    pages = [
        client.get(reverse("applications:detail", args=[submitted.pk]), **EN),
        client.get(reverse("home"), **EN),
    ]

    assert [p.status_code for p in pages] == [200, 200]
    assert ["63.5" in p.content.decode() for p in pages] == [False, False]
    assert "钢筋班" in pages[1].content.decode()
