"""The batch page, Attachment 2's download, submit / reopen / quota and the board, per persona."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.recommendations import services
from banzu.recommendations.enums import BatchState
from banzu.recommendations.exports import board_rows
from banzu.recommendations.models import Batch
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from tests.applications.helpers import make_complete
from tests.conftest import BEFORE_DEADLINE, client_for
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
# Session, user, recommender, the current edition and its rubric twice (the view and the footer's
# context processor), the batch, the rows (applications, their sheets), the pending count and
# the stamped scans.
BATCH_PAGE_QUERIES = 10  # the edition and the switcher's list: one query per request
BOARD_QUERIES = 6
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HZ_DISPOSITION = (
    "attachment; filename*=utf-8''"
    "%E9%99%84%E4%BB%B62_%E6%8E%A8%E8%8D%90%E6%B1%87%E6%80%BB%E8%"
    "A1%A8_2026_%E6%9D%AD%E5%B7%9E.xlsx"
)


def _submitted(recommender, tmp_path, team: str):
    application = ApplicationFactory(
        recommender=recommender,
        team=TeamFactory(name=team, enterprise=EnterpriseFactory(name=f"浙江{team}建设有限公司")),
    )
    application = make_complete(application, tmp_path)
    return application_services.submit_application(
        application=application, user=application.created_by
    )


def _score(application, scorer, total: str) -> None:
    left = Decimal(total)
    items = {}
    for item in application.edition.rubric_items.all():
        items[item.pk] = ItemInput(points=min(left, item.max_points))
        left -= items[item.pk].points
    save_sheet(
        application=application,
        scorer=scorer,
        stage=SheetStage.RECOMMENDER,
        items=items,
        expected_version=None,
        submit=True,
    )


def _hz_batch(edition, hangzhou) -> Batch:
    return services.batch_for(edition, hangzhou)


@pytest.fixture
def recommended(open_edition, hangzhou, recommender_hz, tmp_path):
    application = _submitted(hangzhou, tmp_path, "钢筋班")
    application = services.recommend_application(application=application, actor=recommender_hz)
    _score(application, recommender_hz, "86.5")
    return application


@pytest.fixture
def submitted_batch(recommended, open_edition, hangzhou, recommender_hz):
    return services.transition_batch(
        _hz_batch(open_edition, hangzhou), to=BatchState.SUBMITTED, actor=recommender_hz
    )


def _batch_of(recommender) -> str:
    return reverse("recommendations:batch_of", args=[recommender.pk])


def _url(name: str, recommender) -> str:
    return reverse(f"recommendations:{name}", args=[recommender.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- anonymous ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method", "with_pk"),
    [
        ("batch", "get", False),
        ("batch_of", "get", True),
        ("attachment2", "get", True),
        ("submit_batch", "post", True),
        ("reopen_batch", "post", True),
        ("set_quota", "post", True),
        ("board", "get", False),
    ],
)
def test_every_batch_view_sends_anonymous_to_login(client, hangzhou, name, method, with_pk):
    args = [hangzhou.pk] if with_pk else []
    if name == "attachment2":
        args.append("xlsx")
    url = reverse(f"recommendations:{name}", args=args)

    response = getattr(client, method)(url, {"confirmed": "yes", "reason": "r", "quota": "1"})

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


# --- the batch page -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "heading"),
    [
        ("recommender_hz", 200, "Batch of 杭州市建筑业协会 for 2026"),
        ("recommender_nb", 200, "Batch of 宁波市建筑业协会 for 2026"),
        ("applicant_a", 404, None),
        ("expert", 404, None),
    ],
)
def test_own_batch_by_persona(request, open_edition, persona, status, heading):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("recommendations:batch"), **EN
    )

    assert response.status_code == status
    if heading:
        assert f"<h1>{heading}</h1>" in response.content.decode()


def test_own_batch_for_the_admin_is_the_board(admin_user, open_edition):
    response = client_for(admin_user).get(reverse("recommendations:batch"))

    assert (response.status_code, response["Location"]) == (302, "/recommend/board/")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("recommender_hz", 200),
        ("recommender_nb", 404),
        ("admin_user", 200),
        ("applicant_a", 404),
        ("applicant_b", 404),
        ("expert", 404),
    ],
)
def test_batch_of_hangzhou_by_persona(request, recommended, hangzhou, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(_batch_of(hangzhou), **EN)

    assert response.status_code == status
    text = response.content.decode()
    assert ("杭-2026-001" in text) == (status == 200)


def test_batch_of_unknown_recommender_is_404_for_the_admin(admin_user, open_edition):
    response = client_for(admin_user).get(reverse("recommendations:batch_of", args=[999999]))

    assert response.status_code == 404


def test_batch_page_shows_state_quota_deadline_and_attachment2(recommended, recommender_hz):
    response = client_for(recommender_hz).get(reverse("recommendations:batch"), **EN)

    text = response.content.decode()
    assert '<span class="badge state-open">Open</span>' in text
    assert "<dd>1 application (no quota)</dd>" in text
    assert '<span class="countdown">29 d 23 h' in text
    assert [
        (r.position, r.recommendation_number, r.team_name, r.preliminary_score)
        for r in response.context["rows"]
    ] == [(1, "杭-2026-001", "钢筋班", Decimal("86.50"))]
    assert "<th>Recommendation number</th>" in text
    assert "2026 年度浙江省工程建设质量信得过班组典型经验推荐汇总表" in text
    assert f'<a href="/recommend/applications/{recommended.pk}/">钢筋班</a>' in text
    assert '<td class="num" data-label="Recommender\'s score">86.50</td>' in text
    assert f'action="/recommend/batch/{recommended.recommender_id}/submit/"' in text
    assert "Reopen the batch" not in text
    assert "Recommendation quota" not in text


def test_batch_page_counts_applications_awaiting_a_decision(
    recommended, hangzhou, recommender_hz, tmp_path
):
    _submitted(hangzhou, tmp_path, "木工班")

    text = client_for(recommender_hz).get(reverse("recommendations:batch"), **EN).content.decode()

    assert "<dd>1 application</dd>" in text
    assert "<strong>1 application still awaits your decision.</strong>" in text


def test_batch_page_for_the_admin_has_the_quota_form_but_no_submit(
    recommended, admin_user, hangzhou
):
    response = client_for(admin_user).get(_batch_of(hangzhou), **EN)

    text = response.content.decode()
    assert f'action="/recommend/batch/{hangzhou.pk}/quota/"' in text
    assert f'action="/recommend/batch/{hangzhou.pk}/submit/"' not in text
    assert "Reopen the batch" not in text  # only a submitted batch can be reopened


def test_submitted_batch_page_is_locked_and_names_who_submitted(
    submitted_batch, recommender_hz, admin_user, hangzhou
):
    staff_page = client_for(recommender_hz).get(reverse("recommendations:batch"), **EN)
    admin_page = client_for(admin_user).get(_batch_of(hangzhou), **EN)

    text = staff_page.content.decode()
    assert '<span class="badge state-submitted">Submitted to the province</span>' in text
    assert "<strong>Locked.</strong>" in text
    when = submitted_batch.submitted_at.astimezone(BEFORE_DEADLINE.tzinfo)
    assert f"<dd>{when:%Y-%m-%d %H:%M} · {recommender_hz.display_name}</dd>" in text
    assert "/submit/" not in text
    assert f'action="/recommend/batch/{hangzhou.pk}/reopen/"' in admin_page.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_batch_page_queries_do_not_grow_with_rows(
    count, open_edition, hangzhou, recommender_hz, tmp_path, django_assert_num_queries
):
    for i in range(count):
        application = _submitted(hangzhou, tmp_path, f"{i}号班")
        services.recommend_application(application=application, actor=recommender_hz)
        _score(application, recommender_hz, "80")
    client = client_for(recommender_hz)

    with django_assert_num_queries(BATCH_PAGE_QUERIES):
        response = client.get(reverse("recommendations:batch"))

    assert len(response.context["rows"]) == count


# --- Attachment 2 as Excel ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("recommender_hz", 200),
        ("admin_user", 200),
        ("recommender_nb", 404),
        ("applicant_a", 404),
        ("applicant_b", 404),
        ("expert", 404),
    ],
)
def test_attachment2_xlsx_by_persona(request, recommended, hangzhou, persona, status):
    user = request.getfixturevalue(persona)
    before = AuditEntry.objects.filter(action="export.attachment2").count()

    response = client_for(user).get(
        reverse("recommendations:attachment2", args=[hangzhou.pk, "xlsx"])
    )

    assert response.status_code == status
    exported = AuditEntry.objects.filter(action="export.attachment2").count() - before
    assert exported == (1 if status == 200 else 0)
    if status == 200:
        assert (
            response["Content-Type"],
            response["Content-Disposition"],
            response["X-Content-Type-Options"],
        ) == (XLSX, HZ_DISPOSITION, "nosniff")
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [c.value for c in sheet[5]] == [
            1,
            "杭-2026-001",
            "浙江钢筋班建设有限公司",
            "钢筋班",
            "以精细化管理提升钢筋加工一次合格率",
            12,
            "李明",
            "13605792309",
            86.5,
            None,
        ]


# --- submit ---------------------------------------------------------------------------------


def test_submit_with_confirmation_locks_the_batch(
    recommended, open_edition, hangzhou, recommender_hz
):
    response = client_for(recommender_hz).post(
        _url("submit_batch", hangzhou), {"confirmed": "yes"}, follow=True, **EN
    )

    assert response.redirect_chain == [("/recommend/batch/", 302)]
    assert _messages(response) == [
        "The batch was submitted to the provincial association. It is now locked."
    ]
    batch = _hz_batch(open_edition, hangzhou)
    assert (batch.state, batch.submitted_by) == (BatchState.SUBMITTED, recommender_hz)
    assert "<strong>Locked.</strong>" in response.content.decode()


def test_submit_without_confirmation_changes_nothing(
    recommended, open_edition, hangzhou, recommender_hz
):
    response = client_for(recommender_hz).post(_url("submit_batch", hangzhou), {}, **EN)

    assert response.status_code == 200
    assert response.context["submit_form"].errors == {
        "confirmed": ["Tick the box to confirm this step; nothing was changed."]
    }
    assert _hz_batch(open_edition, hangzhou).state == BatchState.OPEN


@pytest.mark.parametrize(
    ("persona", "status"),
    [("recommender_nb", 404), ("applicant_a", 404), ("expert", 404)],
)
def test_submit_outside_scope(request, recommended, open_edition, hangzhou, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        _url("submit_batch", hangzhou), {"confirmed": "yes"}
    )

    assert response.status_code == status
    assert _hz_batch(open_edition, hangzhou).state == BatchState.OPEN


def test_submit_by_the_admin_is_refused(recommended, open_edition, hangzhou, admin_user):
    response = client_for(admin_user).post(
        _url("submit_batch", hangzhou), {"confirmed": "yes"}, follow=True, **EN
    )

    assert response.redirect_chain == [(_batch_of(hangzhou), 302)]
    assert _messages(response) == ["You may not take this step for this application."]
    assert _hz_batch(open_edition, hangzhou).state == BatchState.OPEN


def test_submit_by_get_is_not_allowed(recommended, hangzhou, recommender_hz):
    response = client_for(recommender_hz).get(_url("submit_batch", hangzhou))

    assert response.status_code == 405


def test_submit_after_the_deadline_says_so(edition, hangzhou, recommender_hz):
    response = client_for(recommender_hz).post(
        _url("submit_batch", hangzhou), {"confirmed": "yes"}, follow=True, **EN
    )

    assert _messages(response) == [
        "The recommendation deadline (2026-04-27 23:59) has passed; the batch can no longer "
        "be submitted. Please contact the provincial association."
    ]
    assert _hz_batch(edition, hangzhou).state == BatchState.OPEN
    text = response.content.decode()
    assert "<strong>The deadline has passed.</strong>" in text
    assert '<span class="countdown closed">Closed</span>' in text


@pytest.mark.parametrize(
    "act",
    [
        lambda a, u: services.recommend_application(application=a, actor=u),
        lambda a, u: services.return_application(application=a, actor=u, reason="补盖章"),
        lambda a, u: services.decline_application(application=a, actor=u, reason="名额"),
    ],
    ids=["recommend", "return", "decline"],
)
def test_after_submission_the_review_actions_are_locked(
    act, submitted_batch, hangzhou, recommender_hz, tmp_path
):
    late = _submitted(hangzhou, tmp_path, "木工班")

    with pytest.raises(ServiceError) as refused:
        act(late, recommender_hz)

    assert refused.value.code == "batch_locked"
    late.refresh_from_db()
    assert (late.state, late.recommendation_number) == (ApplicationState.SUBMITTED, None)


# --- reopen ---------------------------------------------------------------------------------


def test_admin_reopens_with_a_reason(submitted_batch, open_edition, hangzhou, admin_user):
    response = client_for(admin_user).post(
        _url("reopen_batch", hangzhou), {"reason": "漏报一个班组"}, follow=True, **EN
    )

    assert response.redirect_chain == [(_batch_of(hangzhou), 302)]
    assert _messages(response) == [
        "The batch of 杭州市建筑业协会 is open again; it may be resubmitted."
    ]
    batch = _hz_batch(open_edition, hangzhou)
    assert (batch.state, batch.reopen_reason) == (BatchState.OPEN, "漏报一个班组")
    assert AuditEntry.objects.order_by("-seq").first().action == "batch.reopen"


def test_reopen_without_a_reason_changes_nothing(
    submitted_batch, open_edition, hangzhou, admin_user
):
    response = client_for(admin_user).post(_url("reopen_batch", hangzhou), {"reason": " "}, **EN)

    assert response.status_code == 200
    assert response.context["reopen_form"].errors == {"reason": ["Please give a reason."]}
    assert _hz_batch(open_edition, hangzhou).state == BatchState.SUBMITTED


def test_reopen_of_an_open_batch_is_refused(recommended, open_edition, hangzhou, admin_user):
    response = client_for(admin_user).post(
        _url("reopen_batch", hangzhou), {"reason": "r"}, follow=True, **EN
    )

    assert _messages(response) == ["This step is not possible in the application's current state."]
    assert _hz_batch(open_edition, hangzhou).state == BatchState.OPEN


@pytest.mark.parametrize(
    ("persona", "status"),
    [("recommender_hz", 403), ("recommender_nb", 404), ("applicant_a", 404), ("expert", 404)],
)
def test_reopen_by_anyone_but_the_admin(
    request, submitted_batch, open_edition, hangzhou, persona, status
):
    response = client_for(request.getfixturevalue(persona)).post(
        _url("reopen_batch", hangzhou), {"reason": "r"}
    )

    assert response.status_code == status
    assert _hz_batch(open_edition, hangzhou).state == BatchState.SUBMITTED
    denied = AuditEntry.objects.filter(action="access.denied").last()
    assert denied.data["code"] == str(status)


# --- quota ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("posted", "saved"), [("2", 2), ("", None), ("0", 0)])
def test_admin_sets_the_quota(open_edition, hangzhou, admin_user, posted, saved):
    response = client_for(admin_user).post(
        _url("set_quota", hangzhou), {"quota": posted}, follow=True, **EN
    )

    assert response.redirect_chain == [(_batch_of(hangzhou), 302)]
    assert _messages(response) == ["Quota saved."]
    assert _hz_batch(open_edition, hangzhou).quota == saved
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.action, entry.data) == ("batch.set_quota", {"quota": saved})


def test_quota_must_not_be_negative(open_edition, hangzhou, admin_user):
    response = client_for(admin_user).post(_url("set_quota", hangzhou), {"quota": "-1"}, **EN)

    assert response.status_code == 200
    assert response.context["quota_form"].errors == {
        "quota": ["Ensure this value is greater than or equal to 0."]
    }
    assert _hz_batch(open_edition, hangzhou).quota is None


def test_quota_shows_on_the_batch_page(
    recommended, open_edition, hangzhou, admin_user, recommender_hz
):
    client_for(admin_user).post(_url("set_quota", hangzhou), {"quota": "3"})

    text = client_for(recommender_hz).get(reverse("recommendations:batch"), **EN).content.decode()
    assert "<dd>1 of a quota of 3</dd>" in text


@pytest.mark.parametrize(
    ("persona", "status"),
    [("recommender_hz", 403), ("recommender_nb", 404), ("applicant_a", 404), ("expert", 404)],
)
def test_quota_by_anyone_but_the_admin(request, open_edition, hangzhou, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        _url("set_quota", hangzhou), {"quota": "50"}
    )

    assert response.status_code == status
    assert _hz_batch(open_edition, hangzhou).quota is None


# --- the board ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("admin_user", 200),
        ("recommender_hz", 404),
        ("recommender_nb", 404),
        ("applicant_a", 404),
        ("expert", 404),
    ],
)
def test_board_by_persona(request, open_edition, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(
        reverse("recommendations:board"), **EN
    )

    assert response.status_code == status


@pytest.fixture
def busy_hangzhou(open_edition, hangzhou, ningbo, recommender_hz, recommender_nb, tmp_path):
    """杭州: recommended+scored twice, declined, returned, submitted, withdrawn; 宁波: one in."""
    second_scorer = UserFactory(role=Role.RECOMMENDER, recommender=hangzhou)
    scored = _submitted(hangzhou, tmp_path, "钢筋班")
    _score(scored, recommender_hz, "80")
    _score(scored, second_scorer, "90")
    services.recommend_application(application=scored, actor=recommender_hz)
    declined = _submitted(hangzhou, tmp_path, "木工班")
    _score(declined, recommender_hz, "60")
    services.decline_application(application=declined, actor=recommender_hz, reason="名额")
    returned = _submitted(hangzhou, tmp_path, "测量班")
    services.return_application(application=returned, actor=recommender_hz, reason="补盖章")
    _submitted(hangzhou, tmp_path, "安装班")
    withdrawn = _submitted(hangzhou, tmp_path, "电工班")
    application_services.withdraw_application(application=withdrawn, user=withdrawn.created_by)
    application_services.reopen_application(application=withdrawn, user=withdrawn.created_by)
    ApplicationFactory(recommender=hangzhou)  # a draft never submitted
    _submitted(ningbo, tmp_path, "桩基班")
    services.set_quota(batch=services.batch_for(open_edition, ningbo), quota=5, by=recommender_nb)


def test_board_counts_each_recommender(busy_hangzhou, open_edition, hangzhou, ningbo):
    rows = {row.recommender.short_name: row for row in board_rows(open_edition)}

    hz, nb = rows["杭州"], rows["宁波"]

    def counts(row):
        return (row.received, row.scored, row.recommended, row.not_recommended, row.returned)

    assert counts(hz) == (3, 2, 1, 1, 1)
    assert counts(nb) == (1, 0, 0, 0, 0)
    assert (hz.batch.state, hz.batch.quota, nb.batch.quota) == (BatchState.OPEN, None, 5)
    assert counts(rows["温州"]) == (0, 0, 0, 0, 0)
    assert rows["温州"].batch is None


def test_board_lists_only_active_recommenders(open_edition, hangzhou):
    Recommender.objects.filter(short_name="温州").update(is_active=False)

    names = [row.recommender.short_name for row in board_rows(open_edition)]

    assert "温州" not in names
    assert names[:2] == ["杭州", "宁波"]
    assert len(names) == Recommender.objects.filter(is_active=True).count()


def test_board_page_links_each_batch_and_shows_submissions(
    recommended, open_edition, hangzhou, recommender_hz, admin_user
):
    services.transition_batch(
        _hz_batch(open_edition, hangzhou), to=BatchState.SUBMITTED, actor=recommender_hz
    )

    text = client_for(admin_user).get(reverse("recommendations:board"), **EN).content.decode()

    assert f'<a href="{_batch_of(hangzhou)}">杭州市建筑业协会</a>' in text
    assert '<span class="badge state-submitted">Submitted to the province</span>' in text
    active = Recommender.objects.filter(is_active=True).count()
    assert f"1 of {active} batches submitted." in text


@pytest.mark.parametrize("count", [1, 3])
def test_board_queries_do_not_grow_with_recommenders(
    count, open_edition, admin_user, tmp_path, django_assert_num_queries
):
    for short_name in ["杭州", "宁波", "温州"][:count]:
        recommender = Recommender.objects.get(short_name=short_name)
        staff = UserFactory(role=Role.RECOMMENDER, recommender=recommender)
        application = _submitted(recommender, tmp_path, f"{short_name}钢筋班")
        _score(application, staff, "80")
        services.recommend_application(application=application, actor=staff)
    client = client_for(admin_user)

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("recommendations:board"))

    assert [r.recommended for r in response.context["rows"][:3]] == [1] * count + [0] * (3 - count)
