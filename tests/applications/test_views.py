"""Each application view for each persona: allowed, 404 outside scope, 403 when read-only."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.applications import services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application, Document
from banzu.audit.models import AuditEntry
from tests.applications.helpers import make_complete, upload
from tests.conftest import client_for
from tests.factories import ApplicationFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(applicant_a, hangzhou):
    team = TeamFactory(enterprise=applicant_a.enterprise, name="钢筋班")
    return ApplicationFactory(team=team, created_by=applicant_a, recommender=hangzhou)


@pytest.fixture
def submitted(draft, tmp_path, open_edition):
    application = make_complete(draft, tmp_path)
    return services.submit_application(application=application, user=application.created_by)


PERSONAS = [
    "applicant_a",
    "applicant_b",
    "recommender_hz",
    "recommender_nb",
    "admin_user",
    "expert",
]


def _persona(request, name):
    return request.getfixturevalue(name)


# --- detail ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("applicant_a", 200),
        ("applicant_b", 404),
        ("recommender_hz", 404),  # a draft is private to the applicant
        ("recommender_nb", 404),
        ("admin_user", 200),
        ("expert", 404),
    ],
)
def test_detail_of_draft_by_persona(request, draft, persona, status):
    response = client_for(_persona(request, persona)).get(
        reverse("applications:detail", args=[draft.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert "钢筋班" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("applicant_a", 200),
        ("applicant_b", 404),
        ("recommender_hz", 200),
        ("recommender_nb", 404),
        ("admin_user", 200),
        ("expert", 404),
    ],
)
def test_detail_of_submitted_by_persona(request, submitted, persona, status):
    response = client_for(_persona(request, persona)).get(
        reverse("applications:detail", args=[submitted.pk])
    )
    assert response.status_code == status


def test_detail_anonymous_redirects_to_login(client, draft):
    response = client.get(reverse("applications:detail", args=[draft.pk]))
    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_detail_shows_missing_items_and_time_left(draft, open_edition):
    page = client_for(draft.created_by).get(
        reverse("applications:detail", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "26 items are still missing before you can submit." in text
    assert '<span class="countdown">29 d 23 h 59 min</span>' in text


# --- edit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("applicant_a", 200),
        ("applicant_b", 404),
        ("recommender_hz", 404),
        ("recommender_nb", 404),
        ("admin_user", 403),
        ("expert", 404),
    ],
)
def test_edit_draft_by_persona(request, draft, persona, status):
    response = client_for(_persona(request, persona)).get(
        reverse("applications:edit", args=[draft.pk])
    )
    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("applicant_a", 403), ("recommender_hz", 403), ("admin_user", 403), ("applicant_b", 404)],
)
def test_edit_submitted_is_read_only(request, submitted, persona, status):
    response = client_for(_persona(request, persona)).post(
        reverse("applications:edit", args=[submitted.pk]), {"experience_title": "改"}
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.experience_title == "以精细化管理提升钢筋加工一次合格率"


def _form_data(application, **overrides):
    data = {
        "version": application.version,
        "experience_title": "智能测量助力精品工程",
        "member_count": "12",
        "contact_name": "李明",
        "contact_phone": "136 0579 2309",
        "work_completion_rate": "100",
        "quality_pass_rate": "99.5",
        "nonconforming_count": "0",
        "accident_count": "0",
        "complaint_count": "0",
        "first_pass_rate": "98.2",
        "training_people": "12",
        "training_hours": "96",
        "improvement_participation_rate": "100",
        "quality_cost": "12.35",
        "narrative_team": "一",
        "narrative_management": "二",
        "narrative_skills": "三",
        "narrative_improvement": "四",
        "narrative_results": "五",
        "narrative_honours": "六",
        "no_accident_declared": "on",
        "originality_pledged": "on",
        "honours-TOTAL_FORMS": "2",
        "honours-INITIAL_FORMS": "0",
        "honours-MIN_NUM_FORMS": "0",
        "honours-MAX_NUM_FORMS": "30",
        "honours-0-year": "2025",
        "honours-0-title": "市级工人先锋号",
        "honours-0-level": "city",
        "honours-0-recipient": "team",
        "honours-0-recipient_name": "",
        "honours-0-awarded_by": "杭州市总工会",
    }
    data.update(overrides)
    return data


def test_edit_saves_every_field_and_honours(draft, open_edition):
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]), _form_data(draft)
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.contact_phone, str(draft.quality_cost), draft.version) == (
        "13605792309",
        "12.35",
        2,
    )
    assert [(h.year, h.title, h.level) for h in draft.honours.all()] == [
        (2025, "市级工人先锋号", "city")
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("work_completion_rate", "101", "Ensure this value is less than or equal to 100"),
        ("member_count", "-1", "Ensure this value is greater than or equal to 0"),
        ("training_hours", "2.5", "Enter a whole number"),
        ("quality_cost", "12.345", "Ensure that there are no more than 2 decimal places"),
        ("contact_phone", "12345", "Enter a mainland mobile number"),
    ],
)
def test_edit_invalid_value_saves_every_valid_field_and_keeps_the_typed_one(
    draft, field, value, message, settings, open_edition
):
    settings.LANGUAGE_CODE = "en"
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]),
        _form_data(draft, **{field: value}),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    assert f'name="{field}" value="{value}"' in text
    assert 'value="智能测量助力精品工程"' in text
    assert "市级工人先锋号" in text
    assert "Saved, except the marked fields" in text
    assert "These fields need correcting (the other fields were saved):" in text
    assert 'id="error-summary"' in text
    assert 'name="version" value="2"' in text
    draft.refresh_from_db()
    assert (draft.experience_title, draft.narrative_team, draft.version) == (
        "智能测量助力精品工程",
        "一",
        2,
    )
    assert getattr(draft, field) in (None, "")
    assert [h.title for h in draft.honours.all()] == ["市级工人先锋号"]


def test_edit_after_deadline_saves_nothing_and_keeps_everything_typed(draft, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]),
        _form_data(draft, work_completion_rate="105"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    text = response.content.decode()
    assert "has passed" in text
    assert "These fields need correcting:" in text
    assert "the other fields were saved" not in text
    assert 'value="智能测量助力精品工程"' in text
    draft.refresh_from_db()
    assert (draft.experience_title, draft.version) == ("", 1)


def test_edit_page_warns_before_leaving_with_unsaved_changes(draft, open_edition):
    text = client_for(draft.created_by).get(reverse("applications:edit", args=[draft.pk]))

    page = text.content.decode()
    assert "data-unsaved-warning" in page
    assert "/static/js/unsaved.js" in page


def test_edit_corrects_the_team_name(draft, open_edition):
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]), _form_data(draft, team_name="钢筋加工班")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.team.name == "钢筋加工班"
    entry = AuditEntry.objects.get(action="application.rename_team")
    assert entry.data == {"old": "钢筋班", "new": "钢筋加工班"}


def test_edit_refuses_a_team_name_with_its_parent_unit(draft, open_edition, settings):
    settings.LANGUAGE_CODE = "en"
    response = client_for(draft.created_by).post(
        reverse("applications:edit", args=[draft.pk]),
        _form_data(draft, team_name="第三项目部钢筋班"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "a unit above the team (here “第三项目部”)" in response.content.decode()
    draft.refresh_from_db()
    assert (draft.team.name, draft.experience_title) == ("钢筋班", "智能测量助力精品工程")


def test_edit_stale_version_refused_with_message(draft, open_edition):
    client = client_for(draft.created_by)
    client.post(reverse("applications:edit", args=[draft.pk]), _form_data(draft))

    response = client.post(
        reverse("applications:edit", args=[draft.pk]),
        _form_data(draft, experience_title="过期的修改", version="1"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "Someone else saved this application" in response.content.decode()
    draft.refresh_from_db()
    assert draft.experience_title == "智能测量助力精品工程"


# --- files ----------------------------------------------------------------------------------


@pytest.mark.real_parse
def test_files_upload_through_view(draft, tmp_path, open_edition):
    from tests.applications.helpers import sample_bytes

    _name, content = sample_bytes(DocumentKind.PRESENTATION, tmp_path)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(draft.created_by).post(
        reverse("applications:files", args=[draft.pk]),
        {"kind": "presentation", "file": SimpleUploadedFile("班组发布.pptx", content)},
    )

    assert response.status_code == 302
    document = Document.objects.get(application=draft)
    assert (document.kind, document.original_name, document.size) == (
        "presentation",
        "班组发布.pptx",
        len(content),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [("applicant_b", 404), ("recommender_hz", 404), ("admin_user", 403), ("expert", 404)],
)
def test_files_upload_by_others(request, draft, tmp_path, persona, status):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(_persona(request, persona)).post(
        reverse("applications:files", args=[draft.pk]),
        {"kind": "materials_pdf", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == status
    assert Document.objects.count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("applicant_a", 200),
        ("applicant_b", 404),
        ("recommender_hz", 200),
        ("recommender_nb", 404),
        ("admin_user", 200),
        ("expert", 404),
    ],
)
def test_download_by_persona(request, submitted, persona, status):
    document = submitted.documents.get(kind=DocumentKind.MATERIALS_DOCX)
    response = client_for(_persona(request, persona)).get(
        reverse("applications:download", args=[submitted.pk, document.pk])
    )
    assert response.status_code == status
    if status == 200:
        body = b"".join(response.streaming_content)
        assert body[:2] == b"PK"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%E6%9D%90%E6%96%99.docx" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_download_document_of_other_application_is_404(submitted, applicant_b, tmp_path):
    other = ApplicationFactory(
        created_by=applicant_b, team=TeamFactory(enterprise=applicant_b.enterprise)
    )
    foreign = upload(other, DocumentKind.MATERIALS_PDF, tmp_path)
    response = client_for(submitted.created_by).get(
        reverse("applications:download", args=[submitted.pk, foreign.pk])
    )
    assert response.status_code == 404


# --- submit, withdraw, reopen ---------------------------------------------------------------


def test_submit_page_lists_every_missing_item(draft, open_edition):
    response = client_for(draft.created_by).get(
        reverse("applications:submit", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = response.content.decode()
    assert "26 things to fix before submitting" in text
    assert "Upload: Presentation (PPT)" in text
    assert "Sign the originality pledge" in text


def test_submit_post_submits_complete_application(draft, tmp_path, open_edition):
    make_complete(draft, tmp_path)
    response = client_for(draft.created_by).post(reverse("applications:submit", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "status"),
    [("applicant_b", 404), ("recommender_hz", 404), ("admin_user", 403), ("expert", 404)],
)
def test_submit_by_others(request, draft, persona, status):
    response = client_for(_persona(request, persona)).post(
        reverse("applications:submit", args=[draft.pk])
    )
    assert response.status_code == status


def test_withdraw_and_reopen_by_owner(submitted):
    client = client_for(submitted.created_by)
    client.post(reverse("applications:withdraw", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.WITHDRAWN
    client.post(reverse("applications:reopen", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.DRAFT


@pytest.mark.parametrize(
    ("persona", "status"),
    [("applicant_b", 404), ("recommender_hz", 403), ("recommender_nb", 404), ("admin_user", 403)],
)
def test_withdraw_by_others(request, submitted, persona, status):
    response = client_for(_persona(request, persona)).post(
        reverse("applications:withdraw", args=[submitted.pk])
    )
    assert response.status_code == status
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED
    denied = AuditEntry.objects.filter(action="access.denied").last()
    assert (denied.actor_id, denied.data["code"]) == (_persona(request, persona).pk, str(status))


def test_withdraw_get_asks_for_confirmation_and_changes_nothing(submitted):
    response = client_for(submitted.created_by).get(
        reverse("applications:withdraw", args=[submitted.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Withdraw the application?" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.state == ApplicationState.SUBMITTED


@pytest.mark.parametrize(("persona", "status"), [("applicant_b", 404), ("recommender_hz", 403)])
def test_withdraw_confirmation_page_by_others(request, submitted, persona, status):
    response = client_for(_persona(request, persona)).get(
        reverse("applications:withdraw", args=[submitted.pk])
    )
    assert response.status_code == status


# --- start ----------------------------------------------------------------------------------


def test_start_creates_application(applicant_a, hangzhou, open_edition):
    response = client_for(applicant_a).post(
        reverse("applications:start"), {"team_name": "测量班", "recommender": hangzhou.pk}
    )
    application = Application.objects.get()
    assert response["Location"] == reverse("applications:edit", args=[application.pk])
    assert application.team.name == "测量班"


def test_start_reports_every_problem_at_once(applicant_a, open_edition):
    response = client_for(applicant_a).post(
        reverse("applications:start"),
        {"team_name": "第三项目部钢筋班", "recommender": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    text = response.content.decode()
    assert "a unit above the team (here “第三项目部”)" in text
    assert 'id="id_recommender_error"' in text
    assert Application.objects.count() == 0


def test_start_team_name_with_enterprise_shows_error(applicant_a, hangzhou, open_edition):
    response = client_for(applicant_a).post(
        reverse("applications:start"),
        {"team_name": "浙江甲建设有限公司测量班", "recommender": hangzhou.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "must not include the enterprise" in response.content.decode()
    assert Application.objects.count() == 0


@pytest.mark.parametrize("persona", ["recommender_hz", "admin_user", "expert"])
def test_start_by_non_applicant_is_404(request, persona):
    response = client_for(_persona(request, persona)).get(reverse("applications:start"))
    assert response.status_code == 404


# --- lists ----------------------------------------------------------------------------------


def _submitted_in(recommender, tmp_path, n):
    apps = []
    for _ in range(n):
        application = make_complete(ApplicationFactory(recommender=recommender), tmp_path)
        apps.append(
            services.submit_application(application=application, user=application.created_by)
        )
    return apps


def test_list_query_count_is_flat(
    admin_user,
    hangzhou,
    tmp_path,
    open_edition,
    django_assert_num_queries,
    django_assert_max_num_queries,
):
    client = client_for(admin_user)
    _submitted_in(hangzhou, tmp_path, 1)
    client.get(reverse("applications:list"))  # warm the session
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("applications:list"))
    _submitted_in(hangzhou, tmp_path, 2)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("applications:list"))
    assert response.content.decode().count("badge state-submitted") == 3


def test_list_sends_a_recommender_to_its_one_list_keeping_the_search(recommender_hz):
    client = client_for(recommender_hz)

    searched = client.get(reverse("applications:list"), {"q": "钢筋 班"})
    plain = client.get(reverse("applications:list"))

    assert (searched.status_code, searched["Location"]) == (
        302,
        reverse("recommendations:list") + "?q=%E9%92%A2%E7%AD%8B+%E7%8F%AD",
    )
    assert plain["Location"] == reverse("recommendations:list")


def test_list_pages_keep_the_filters(admin_user, hangzhou, ningbo, tmp_path, open_edition):
    _submitted_in(hangzhou, tmp_path, 51)
    _submitted_in(ningbo, tmp_path, 1)
    client = client_for(admin_user)
    filters = {"state": "submitted", "recommender": hangzhou.pk}

    first = client.get(reverse("applications:list"), filters, HTTP_ACCEPT_LANGUAGE="en")
    second = client.get(reverse("applications:list"), {**filters, "page": 2})

    text = first.content.decode()
    assert "51 applications" in text
    assert "Page 1 of 2" in text
    assert f"?state=submitted&amp;recommender={hangzhou.pk}&amp;q=&amp;page=2" in text
    assert second.content.decode().count("badge state-submitted") == 1


def test_list_export_is_the_filtered_list_as_excel(
    admin_user, hangzhou, ningbo, tmp_path, open_edition
):
    mine = _submitted_in(hangzhou, tmp_path, 2)
    _submitted_in(ningbo, tmp_path, 1)

    response = client_for(admin_user).get(
        reverse("applications:export"), {"recommender": hangzhou.pk}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(
        ["序号", "推荐编号", "单位名称", "班组名称", "推荐单位", "状态", "提交时间", "经验名称"]
    )
    assert sorted(row[3] for row in rows[header + 1 :]) == sorted(a.team.name for a in mine)
    assert AuditEntry.objects.filter(action="export.application_list").count() == 1


@pytest.mark.parametrize("persona", ["recommender_hz", "applicant_a", "expert"])
def test_list_export_is_for_the_association_only(request, persona):
    response = client_for(_persona(request, persona)).get(reverse("applications:export"))
    assert response.status_code == 404


def test_files_page_states_each_slots_size_limit(draft, settings, open_edition):
    settings.BANZU_UPLOAD_LIMITS_MB = {"docx": 30, "pdf": 50, "pptx": 100}

    response = client_for(draft.created_by).get(
        reverse("applications:files", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert page.count("One .docx file of at most 30 MB.") == 1
    assert page.count("One .pdf file of at most 50 MB.") == 2
    assert page.count("One .pptx file of at most 100 MB.") == 1


def test_applicant_dashboard_query_count_is_flat(
    applicant_a, hangzhou, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(applicant_a)
    ApplicationFactory(team=TeamFactory(enterprise=applicant_a.enterprise), created_by=applicant_a)
    client.get("/")
    # Eight with the event's card (its slot), one more for the certificates' card.
    with django_assert_max_num_queries(9) as one:
        client.get("/")
    for _ in range(2):
        ApplicationFactory(
            team=TeamFactory(enterprise=applicant_a.enterprise), created_by=applicant_a
        )
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get("/")
    assert response.content.decode().count("badge state-draft") == 3
