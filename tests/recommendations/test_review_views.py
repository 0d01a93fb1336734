"""The recommender's review views for each persona: allowed, 404 outside the region, 403 when in
scope but not allowed, anonymous to the login page; and what each action changes."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from banzu.accounts.enums import Role
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.audit.models import AuditEntry
from banzu.recommendations import services
from banzu.recommendations.enums import BatchState
from tests.applications.helpers import make_complete
from tests.conftest import client_for
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, UserFactory
from tests.recommendations.conftest import score

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CONFIRM = {"confirmed": "yes"}


@pytest.fixture
def submitted(applicant_a, hangzhou, tmp_path, open_edition):
    """Applicant A's team, complete and submitted to 杭州."""
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    application = ApplicationFactory(team=team, created_by=applicant_a, recommender=hangzhou)
    application = make_complete(application, tmp_path)
    return application_services.submit_application(application=application, user=applicant_a)


def _submitted_in(recommender, tmp_path, n, *, industry="房屋建筑工程"):
    apps = []
    for _ in range(n):
        team = TeamFactory(enterprise=EnterpriseFactory(industry=industry))
        application = make_complete(
            ApplicationFactory(recommender=recommender, team=team), tmp_path
        )
        apps.append(
            application_services.submit_application(
                application=application, user=application.created_by
            )
        )
    return apps


def _staff(recommender):
    """Another staff member of the same recommender."""
    return UserFactory(role=Role.RECOMMENDER, recommender=recommender)


def _submit_batch(edition, recommender, by):
    services.transition_batch(
        services.batch_for(edition, recommender), to=BatchState.SUBMITTED, actor=by
    )


def _login_redirect(response):
    return (response.status_code, response["Location"].split("?")[0])


# --- the list -------------------------------------------------------------------------------


def test_list_recommender_sees_only_its_own(
    submitted, recommender_hz, ningbo, tmp_path, open_edition
):
    theirs = _submitted_in(ningbo, tmp_path, 1)[0]

    text = client_for(recommender_hz).get(reverse("recommendations:list"), **EN).content.decode()

    assert "钢筋班" in text
    assert theirs.team.name not in text
    assert "1 application" in text


def test_list_ningbo_staff_do_not_see_hangzhou(submitted, recommender_nb):
    text = client_for(recommender_nb).get(reverse("recommendations:list"), **EN).content.decode()
    assert "钢筋班" not in text
    assert "0 applications" in text


def test_list_staff_naming_another_recommender_is_404(submitted, recommender_nb, hangzhou):
    response = client_for(recommender_nb).get(
        reverse("recommendations:list"), {"recommender": hangzhou.pk}
    )
    assert response.status_code == 404


def test_list_admin_names_the_recommender(submitted, admin_user, hangzhou):
    text = (
        client_for(admin_user)
        .get(reverse("recommendations:list"), {"recommender": hangzhou.pk}, **EN)
        .content.decode()
    )
    assert "钢筋班" in text
    assert f'<input type="hidden" name="recommender" value="{hangzhou.pk}">' in text


def test_list_admin_without_recommender_chooses_one(submitted, admin_user, hangzhou):
    text = client_for(admin_user).get(reverse("recommendations:list"), **EN).content.decode()
    assert "钢筋班" not in text
    assert f'<option value="{hangzhou.pk}">{hangzhou.name}</option>' in text


def test_list_admin_unknown_recommender_is_404(admin_user):
    response = client_for(admin_user).get(reverse("recommendations:list"), {"recommender": 99999})
    assert response.status_code == 404


def test_list_malformed_recommender_is_ignored(submitted, recommender_hz, admin_user):
    staff = client_for(recommender_hz).get(reverse("recommendations:list"), {"recommender": "x"})
    admin = client_for(admin_user).get(reverse("recommendations:list"), {"recommender": "x"})
    assert ["钢筋班" in staff.content.decode(), "钢筋班" in admin.content.decode()] == [True, False]


@pytest.mark.parametrize("persona", ["applicant_a", "applicant_b", "expert"])
def test_list_other_roles_are_404(request, submitted, persona):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("recommendations:list")).status_code == 404


def test_list_anonymous_goes_to_login(client):
    response = client.get(reverse("recommendations:list"))
    assert _login_redirect(response) == (302, "/accounts/login/")


def test_list_row_shows_every_column(submitted, recommender_hz, hangzhou):
    other = _staff(hangzhou)
    score(submitted, recommender_hz, 80)
    score(submitted, other, 85)
    services.recommend_application(application=submitted, actor=recommender_hz)

    text = client_for(recommender_hz).get(reverse("recommendations:list"), **EN).content.decode()

    for cell in [
        "钢筋班",
        submitted.team.enterprise.name,
        '<td class="name" data-label="Industry">房屋建筑工程</td>',
        "以精细化管理提升钢筋加工一次合格率",
        '<span class="badge state-recommended">Recommended</span>',
        '<span class="score">82.50</span>',
        '<td class="num" data-label="Sheets in">2</td>',
        "杭-2026-001",
    ]:
        assert cell in text


def _team_order(text, names):
    return sorted(names, key=text.index)


def test_list_sorts_by_score_team_and_submitted(recommender_hz, hangzhou, tmp_path, open_edition):
    low, high, unscored = _submitted_in(hangzhou, tmp_path, 3)
    score(low, recommender_hz, 60)
    score(high, recommender_hz, 90)
    names = [low.team.name, high.team.name, unscored.team.name]
    client = client_for(recommender_hz)

    def order(sort):
        text = client.get(reverse("recommendations:list"), {"sort": sort}).content.decode()
        return _team_order(text, names)

    assert order("-score") == [high.team.name, low.team.name, unscored.team.name]
    assert order("score") == [low.team.name, high.team.name, unscored.team.name]
    assert order("team") == sorted(names)
    assert order("-team") == sorted(names, reverse=True)
    assert order("submitted") == names
    assert order("nonsense") == names


def test_list_sort_header_toggles_and_keeps_filters(submitted, recommender_hz):
    text = (
        client_for(recommender_hz)
        .get(reverse("recommendations:list"), {"sort": "score", "state": "submitted"}, **EN)
        .content.decode()
    )
    assert (
        '<th aria-sort="ascending" class="num"><a class="sort-link" '
        'href="?sort=-score&amp;state=submitted">Preliminary score' in text
    )
    assert 'href="?sort=team&amp;state=submitted">Team</a>' in text


def test_list_filters_by_state_and_industry(recommender_hz, hangzhou, tmp_path, open_edition):
    house, road = _submitted_in(hangzhou, tmp_path, 1) + _submitted_in(
        hangzhou, tmp_path, 1, industry="市政公用工程"
    )
    services.recommend_application(application=road, actor=recommender_hz)
    client = client_for(recommender_hz)

    by_state = client.get(reverse("recommendations:list"), {"state": "recommended"})
    by_industry = client.get(reverse("recommendations:list"), {"industry": "房屋建筑工程"})
    invalid = client.get(reverse("recommendations:list"), {"state": "draft"})

    assert (road.team.name in by_state.content.decode()) is True
    assert (house.team.name in by_state.content.decode()) is False
    assert (house.team.name in by_industry.content.decode()) is True
    assert (road.team.name in by_industry.content.decode()) is False
    assert [n in invalid.content.decode() for n in (house.team.name, road.team.name)] == [
        True,
        True,
    ]
    assert '<option value="市政公用工程" >市政公用工程</option>' in by_state.content.decode()


@pytest.mark.parametrize("persona", ["recommender_hz", "admin_user"])
def test_list_query_count_is_flat(
    request,
    persona,
    hangzhou,
    recommender_hz,
    tmp_path,
    open_edition,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = client_for(request.getfixturevalue(persona))
    params = {"recommender": hangzhou.pk} if persona == "admin_user" else {}
    for application in _submitted_in(hangzhou, tmp_path, 1):
        score(application, recommender_hz, 70)
    client.get(reverse("recommendations:list"), params)  # warm the session
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("recommendations:list"), params)
    for application in _submitted_in(hangzhou, tmp_path, 2):
        score(application, recommender_hz, 70)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("recommendations:list"), params)
    text = response.content.decode()
    assert (
        text.count("badge state-submitted"),
        text.count('<span class="score">70.00</span>'),
    ) == (
        3,
        3,
    )


# --- the review page ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("recommender_hz", 200),
        ("admin_user", 200),
        ("recommender_nb", 404),
        ("applicant_b", 404),
        ("expert", 404),
        # The owner reaches the application itself but not the recommender's desk.
        ("applicant_a", 404),
    ],
)
def test_review_by_persona(request, submitted, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("recommendations:review", args=[submitted.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert "以精细化管理提升钢筋加工一次合格率" in response.content.decode()


def test_review_anonymous_goes_to_login(client, submitted):
    response = client.get(reverse("recommendations:review", args=[submitted.pk]))
    assert _login_redirect(response) == (302, "/accounts/login/")


def test_review_shows_form_files_scores_and_actions(submitted, recommender_hz, hangzhou):
    score(submitted, recommender_hz, 80)
    score(submitted, _staff(hangzhou), 71)
    documents = {d.kind: d for d in submitted.documents.all()}

    text = (
        client_for(recommender_hz)
        .get(reverse("recommendations:review", args=[submitted.pk]), **EN)
        .content.decode()
    )

    assert "Application form (Attachment 1)" in text
    for kind in DocumentKind:
        assert reverse("applications:download", args=[submitted.pk, documents[kind].pk]) in text
    viewable = [
        kind
        for kind in DocumentKind
        if reverse("recommendations:view_pdf", args=[submitted.pk, documents[kind].pk]) in text
    ]
    assert viewable == [DocumentKind.MATERIALS_PDF, DocumentKind.SIGNED_FORM]
    assert "<dd>80.0 · Submitted (locked)</dd>" in text
    assert '<strong class="preliminary-score">75.50</strong>' in text
    assert f'action="{reverse("recommendations:recommend", args=[submitted.pk])}"' in text
    assert f'action="{reverse("recommendations:return", args=[submitted.pk])}"' in text
    assert f'action="{reverse("recommendations:decline", args=[submitted.pk])}"' in text
    assert reverse("recommendations:score", args=[submitted.pk]) in text


def test_review_hides_actions_once_batch_is_submitted(
    submitted, recommender_hz, hangzhou, open_edition
):
    _submit_batch(open_edition, hangzhou, recommender_hz)

    text = (
        client_for(recommender_hz)
        .get(reverse("recommendations:review", args=[submitted.pk]), **EN)
        .content.decode()
    )

    assert reverse("recommendations:recommend", args=[submitted.pk]) not in text
    assert "The batch has been submitted to the province" in text


def test_review_hides_actions_when_already_recommended(submitted, recommender_hz):
    services.recommend_application(application=submitted, actor=recommender_hz)
    text = (
        client_for(recommender_hz)
        .get(reverse("recommendations:review", args=[submitted.pk]), **EN)
        .content.decode()
    )
    assert reverse("recommendations:return", args=[submitted.pk]) not in text
    assert "Recommended with number 杭-2026-001." in text


# --- return ---------------------------------------------------------------------------------


def test_return_sets_draft_with_reason_and_tells_the_applicant(
    submitted, recommender_hz, applicant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(recommender_hz).post(
            reverse("recommendations:return", args=[submitted.pk]),
            {"reason": "  请补充盖章的申报表。 ", **CONFIRM},
            **EN,
        )

    assert response["Location"] == reverse("recommendations:review", args=[submitted.pk])
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (
        ApplicationState.DRAFT,
        "请补充盖章的申报表。",
    )
    assert [m.to for m in mail.outbox] == [[applicant_a.email]]
    assert "请补充盖章的申报表。" in mail.outbox[0].body
    page = client_for(applicant_a).get(reverse("applications:detail", args=[submitted.pk]), **EN)
    # The applicant's page words the return (banzu.applications); here: the reason reaches it.
    assert "请补充盖章的申报表。" in page.content.decode()


def test_return_success_message(submitted, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:return", args=[submitted.pk]),
        {"reason": "缺材料", **CONFIRM},
        follow=True,
        **EN,
    )
    assert "Returned to the applicant with your reason" in response.content.decode()


def test_return_without_reason_is_refused(submitted, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:return", args=[submitted.pk]),
        {"reason": "   "},
        follow=True,
        **EN,
    )

    assert "Please give a reason." in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (ApplicationState.SUBMITTED, "")
    assert mail.outbox == []


@pytest.mark.parametrize("action", ["return", "decline", "recommend"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("recommender_nb", 404), ("applicant_b", 404), ("expert", 404), ("applicant_a", 404)],
)
def test_actions_by_others_change_nothing(request, submitted, action, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse(f"recommendations:{action}", args=[submitted.pk]), {"reason": "理由"}
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    assert (submitted.state, submitted.recommendation_number) == (ApplicationState.SUBMITTED, None)


@pytest.mark.parametrize("action", ["return", "decline", "recommend"])
def test_actions_anonymous_go_to_login(client, submitted, action):
    response = client.post(reverse(f"recommendations:{action}", args=[submitted.pk]))
    assert _login_redirect(response) == (302, "/accounts/login/")


@pytest.mark.parametrize("action", ["return", "decline", "recommend"])
def test_actions_refuse_get(submitted, recommender_hz, action):
    response = client_for(recommender_hz).get(
        reverse(f"recommendations:{action}", args=[submitted.pk])
    )
    assert response.status_code == 405


def test_admin_may_return(submitted, admin_user):
    client_for(admin_user).post(
        reverse("recommendations:return", args=[submitted.pk]), {"reason": "省协会退回", **CONFIRM}
    )
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (ApplicationState.DRAFT, "省协会退回")


# --- decline --------------------------------------------------------------------------------


def test_decline_sets_not_recommended_and_tells_the_applicant(
    submitted, recommender_hz, applicant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(recommender_hz).post(
            reverse("recommendations:decline", args=[submitted.pk]),
            {"reason": "经验特色不够突出。", **CONFIRM},
            follow=True,
            **EN,
        )

    assert "Marked as not recommended" in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.state, submitted.state_reason) == (
        ApplicationState.NOT_RECOMMENDED,
        "经验特色不够突出。",
    )
    assert [m.to for m in mail.outbox] == [[applicant_a.email]]
    assert "经验特色不够突出。" in mail.outbox[0].body
    page = client_for(applicant_a).get(reverse("applications:detail", args=[submitted.pk]), **EN)
    assert "Reason: 经验特色不够突出。" in page.content.decode()


def test_decline_without_reason_is_refused(submitted, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:decline", args=[submitted.pk]), {}, follow=True, **EN
    )
    assert "Please give a reason." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


# --- recommend ------------------------------------------------------------------------------


def test_recommend_numbers_in_sequence_and_tells_the_applicant(
    submitted, recommender_hz, hangzhou, applicant_a, tmp_path, django_capture_on_commit_callbacks
):
    second = _submitted_in(hangzhou, tmp_path, 1)[0]
    client = client_for(recommender_hz)

    with django_capture_on_commit_callbacks(execute=True):
        first_page = client.post(
            reverse("recommendations:recommend", args=[submitted.pk]), CONFIRM, follow=True, **EN
        )
    second_page = client.post(
        reverse("recommendations:recommend", args=[second.pk]), CONFIRM, follow=True, **EN
    )

    submitted.refresh_from_db()
    second.refresh_from_db()
    assert [(a.state, a.recommendation_number) for a in (submitted, second)] == [
        (ApplicationState.RECOMMENDED, "杭-2026-001"),
        (ApplicationState.RECOMMENDED, "杭-2026-002"),
    ]
    assert "Recommended to the province with number 杭-2026-001." in first_page.content.decode()
    assert "Recommended to the province with number 杭-2026-002." in second_page.content.decode()
    assert [m.to for m in mail.outbox] == [[applicant_a.email]]
    assert "杭-2026-001" in mail.outbox[0].body


def test_recommend_over_quota_is_refused_with_message(
    submitted, recommender_hz, hangzhou, admin_user, tmp_path, open_edition
):
    second = _submitted_in(hangzhou, tmp_path, 1)[0]
    services.set_quota(batch=services.batch_for(open_edition, hangzhou), quota=1, by=admin_user)
    client = client_for(recommender_hz)
    client.post(reverse("recommendations:recommend", args=[submitted.pk]), CONFIRM)

    response = client.post(
        reverse("recommendations:recommend", args=[second.pk]), CONFIRM, follow=True, **EN
    )

    assert response.redirect_chain == [(reverse("recommendations:review", args=[second.pk]), 302)]
    assert f"The quota of 1 recommendations for {hangzhou.name} is reached" in (
        response.content.decode()
    )
    second.refresh_from_db()
    assert (second.state, second.recommendation_number) == (ApplicationState.SUBMITTED, None)


def test_recommend_twice_is_refused(submitted, recommender_hz):
    client = client_for(recommender_hz)
    client.post(reverse("recommendations:recommend", args=[submitted.pk]), CONFIRM)
    response = client.post(
        reverse("recommendations:recommend", args=[submitted.pk]), CONFIRM, follow=True, **EN
    )
    assert "This step is not possible in the application&#x27;s current state." in (
        response.content.decode()
    )
    submitted.refresh_from_db()
    assert submitted.recommendation_number == "杭-2026-001"


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("return", {"reason": "补充", **CONFIRM}),
        ("decline", {"reason": "不推荐", **CONFIRM}),
        ("recommend", CONFIRM),
    ],
)
def test_actions_refused_after_batch_submitted(
    submitted, recommender_hz, hangzhou, open_edition, action, data
):
    _submit_batch(open_edition, hangzhou, recommender_hz)

    response = client_for(recommender_hz).post(
        reverse(f"recommendations:{action}", args=[submitted.pk]), data, follow=True, **EN
    )

    assert "has been submitted to the province; only the provincial admin can reopen it." in (
        response.content.decode()
    )
    submitted.refresh_from_db()
    assert (submitted.state, submitted.recommendation_number) == (ApplicationState.SUBMITTED, None)


# --- view a PDF in the browser --------------------------------------------------------------


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
@pytest.mark.parametrize("kind", [DocumentKind.MATERIALS_PDF, DocumentKind.SIGNED_FORM])
def test_view_pdf_by_persona(request, submitted, persona, status, kind):
    document = submitted.documents.get(kind=kind)
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("recommendations:view_pdf", args=[submitted.pk, document.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content)[:5] == b"%PDF-"
        assert {
            name: response[name]
            for name in (
                "Content-Type",
                "Content-Disposition",
                "X-Content-Type-Options",
                "Cache-Control",
                "Content-Security-Policy",
                "X-Frame-Options",
            )
        } == {
            "Content-Type": "application/pdf",
            "Content-Disposition": "inline; filename*=utf-8''%E6%9D%90%E6%96%99.pdf",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
        }


def test_view_pdf_anonymous_goes_to_login(client, submitted):
    document = submitted.documents.get(kind=DocumentKind.MATERIALS_PDF)
    response = client.get(reverse("recommendations:view_pdf", args=[submitted.pk, document.pk]))
    assert _login_redirect(response) == (302, "/accounts/login/")


@pytest.mark.parametrize("kind", [DocumentKind.MATERIALS_DOCX, DocumentKind.PRESENTATION])
def test_view_pdf_refuses_other_kinds(submitted, recommender_hz, kind):
    document = submitted.documents.get(kind=kind)
    response = client_for(recommender_hz).get(
        reverse("recommendations:view_pdf", args=[submitted.pk, document.pk])
    )
    assert response.status_code == 404


def test_view_pdf_document_of_another_application_is_404(
    submitted, recommender_hz, hangzhou, tmp_path
):
    other = _submitted_in(hangzhou, tmp_path, 1)[0]
    foreign = other.documents.get(kind=DocumentKind.MATERIALS_PDF)
    response = client_for(recommender_hz).get(
        reverse("recommendations:view_pdf", args=[submitted.pk, foreign.pk])
    )
    assert response.status_code == 404


def test_view_pdf_is_audited(submitted, recommender_hz):
    document = submitted.documents.get(kind=DocumentKind.MATERIALS_PDF)
    response = client_for(recommender_hz).get(
        reverse("recommendations:view_pdf", args=[submitted.pk, document.pk])
    )
    assert b"".join(response.streaming_content)[:5] == b"%PDF-"
    entry = AuditEntry.objects.filter(action="document.download").last()
    assert (entry.actor_username, entry.target_id, entry.data) == (
        "rec_hz",
        submitted.pk,
        {"document": document.pk, "kind": "materials_pdf"},
    )
