"""The expert's workspace: declaring, the materials, the sheet; and who gets a 404."""

from __future__ import annotations

from decimal import Decimal as D
from io import BytesIO

import pytest
from django.core import mail
from django.urls import reverse
from docx import Document as WordDocument

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet
from tests.applications.helpers import upload
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.review.conftest import assign, make_expert, reviewed_application

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(application, tmp_path):
    """The application's materials PDF and Word file, uploaded while it was a draft."""
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.DRAFT)
    application.state = ApplicationState.DRAFT
    pdf = upload(application, DocumentKind.MATERIALS_PDF, tmp_path)
    docx = upload(application, DocumentKind.MATERIALS_DOCX, tmp_path)
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.UNDER_REVIEW)
    application.state = ApplicationState.UNDER_REVIEW
    return {"pdf": pdf, "docx": docx}


@pytest.fixture
def rubric(edition):
    return list(edition.rubric_items.all())


def _post(
    rubric, points, *, comments=True, overall="材料完整，特色鲜明。", action="save", version=1
):
    data = {"version": str(version), "action": action, "overall_comment": overall}
    if action == "submit":
        data["confirmed"] = "yes"  # the box that confirms the sheet's submission (item 9)
    for item, value in zip(rubric, points, strict=True):
        data[f"points_{item.pk}"] = value
        data[f"comment_{item.pk}"] = f"第{item.position}项评语" if comments else ""
    return data


# --- The list and the declaration ------------------------------------------------------------


def test_mine_lists_only_the_experts_active_assignments(application, expert_assigned):
    other = reviewed_application(edition=application.edition)
    assign(other, make_expert("someone_else"))

    response = client_for(expert_assigned).get(reverse("review:mine"))

    text = response.content.decode()
    assert response.status_code == 200
    assert application.team.name in text
    assert other.team.name not in text
    assert "0 of 1 sheets submitted" in text


def test_pending_expert_sees_who_applies_but_no_material(application, expert_pending, files):
    client = client_for(expert_pending)

    declare_page = client.get(reverse("review:declare", args=[application.pk]))
    sheet_page = client.get(reverse("review:sheet", args=[application.pk]))
    pdf = client.get(reverse("review:view_pdf", args=[application.pk, files["pdf"].pk]))

    assert declare_page.status_code == 200
    assert application.team.enterprise.name in declare_page.content.decode()
    assert (sheet_page.status_code, pdf.status_code) == (404, 404)


def test_declaring_no_conflict_opens_the_materials(application, expert_pending, files):
    client = client_for(expert_pending)

    response = client.post(reverse("review:declare", args=[application.pk]), {"answer": "none"})

    assignment = Assignment.objects.get(application=application, expert=expert_pending)
    assert response.status_code == 302
    assert response["Location"] == reverse("review:sheet", args=[application.pk])
    assert assignment.state == AssignmentState.CONFIRMED
    assert assignment.declared_at is not None
    assert client.get(response["Location"]).status_code == 200
    entry = AuditEntry.objects.filter(action="review.assignment.confirmed").get()
    assert entry.data["expert"] == expert_pending.pk


def test_declaring_a_conflict_needs_a_reason(application, expert_pending):
    response = client_for(expert_pending).post(
        reverse("review:declare", args=[application.pk]), {"answer": "conflict", "reason": " "}
    )

    assert response.status_code == 200
    assert "Say what the conflict is." in response.content.decode()
    assert Assignment.objects.get(expert=expert_pending).state == AssignmentState.PENDING


def test_declaring_a_conflict_removes_the_assignment_and_tells_the_admin(
    application, expert_pending, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(expert_pending)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("review:declare", args=[application.pk]),
            {"answer": "conflict", "reason": "曾为该单位提供质量咨询"},
        )

    assignment = Assignment.objects.get(expert=expert_pending)
    assert response["Location"] == reverse("review:mine")
    assert (assignment.state, assignment.reason) == (
        AssignmentState.CONFLICT,
        "曾为该单位提供质量咨询",
    )
    assert client.get(reverse("review:declare", args=[application.pk])).status_code == 404
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert "曾为该单位提供质量咨询" in mail.outbox[0].body


# --- Permissions ------------------------------------------------------------------------------

EXPERT_URLS = ["review:sheet", "review:view_pdf", "review:download", "review:sheet_total"]


def _url(name, application, files):
    if name in ("review:view_pdf", "review:download"):
        return reverse(name, args=[application.pk, files["pdf"].pk])
    return reverse(name, args=[application.pk])


@pytest.mark.parametrize("name", EXPERT_URLS)
@pytest.mark.parametrize(
    "persona",
    [
        "expert_unassigned",
        "expert_conflicted",
        "expert_pending",
        "applicant_a",
        "recommender_hz",
        "admin_user",
    ],
)
def test_expert_pages_are_404_outside_an_active_declared_assignment(
    request, application, files, name, persona
):
    user = request.getfixturevalue(persona)
    client = client_for(user)
    url = _url(name, application, files)

    response = client.post(url) if name == "review:sheet_total" else client.get(url)

    assert response.status_code == 404
    entry = AuditEntry.objects.filter(action="access.denied").last()
    assert entry.actor_id == user.pk


@pytest.mark.parametrize("name", EXPERT_URLS)
def test_anonymous_goes_to_the_login_page(application, files, name):
    url = _url(name, application, files)
    client = client_for(None)

    response = client.post(url) if name == "review:sheet_total" else client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_removed_expert_loses_the_application(application, expert_assigned, files, admin_user):
    Assignment.objects.filter(expert=expert_assigned).update(state=AssignmentState.REMOVED)

    response = client_for(expert_assigned).get(reverse("review:sheet", args=[application.pk]))

    assert response.status_code == 404


def test_assigned_expert_opens_the_pdf_inline_and_downloads_the_word_file(
    application, expert_assigned, files
):
    client = client_for(expert_assigned)

    pdf = client.get(reverse("review:view_pdf", args=[application.pk, files["pdf"].pk]))
    docx = client.get(reverse("review:download", args=[application.pk, files["docx"].pk]))
    docx_inline = client.get(reverse("review:view_pdf", args=[application.pk, files["docx"].pk]))
    docx.close()

    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    assert pdf["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert docx["Content-Disposition"].startswith("attachment")
    assert docx["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert docx_inline.status_code == 404


def test_sheet_page_shows_the_materials_and_the_rubric(application, expert_assigned, files, rubric):
    response = client_for(expert_assigned).get(reverse("review:sheet", args=[application.pk]))

    text = response.content.decode()
    assert reverse("review:view_pdf", args=[application.pk, files["pdf"].pk]) in text
    assert '<iframe class="review-pdf"' in text
    for item in rubric:
        assert item.title in text
        assert item.criteria_lines()[0] in text
    assert 'name="overall_comment"' in text


# --- The sheet -------------------------------------------------------------------------------


def test_draft_may_leave_items_empty(application, expert_assigned, rubric):
    response = client_for(expert_assigned).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["12.5", "", "", "", ""], comments=False, overall=""),
    )

    sheet = ScoreSheet.objects.get(scorer=expert_assigned, stage=SheetStage.MATERIALS)
    assert response.status_code == 302
    assert (sheet.state, sheet.total, sheet.version) == (SheetState.DRAFT, D("12.5"), 2)
    assert [(s.rubric_item.position, s.points) for s in sheet.items.all()] == [(1, D("12.5"))]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("15.5", "At most 15 points."),
        ("7.25", "Use whole or half points (e.g. 12 or 12.5)."),
        ("-1", "Points cannot be negative."),
        ("abc", "Enter a number."),
    ],
)
def test_out_of_range_points_are_refused_by_the_server(
    application, expert_assigned, rubric, typed, message
):
    response = client_for(expert_assigned).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, [typed, "20", "25", "12", "13"]),
    )

    text = response.content.decode()
    assert response.status_code == 200
    assert message in text
    assert 'value="20"' in text  # what was typed stays
    assert not ScoreSheet.objects.filter(scorer=expert_assigned).exists()


def test_submitting_needs_every_score_and_every_comment(application, expert_assigned, rubric):
    response = client_for(expert_assigned).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["12", "20", "", "12", "13"], comments=False, overall="", action="submit"),
    )

    text = response.content.decode()
    assert "Give a score for this item." in text
    assert text.count("Write a comment on this item.") == 5
    assert "Write an overall comment." in text
    assert not ScoreSheet.objects.filter(scorer=expert_assigned).exists()


def test_submitting_computes_the_total_and_locks_the_sheet(application, expert_assigned, rubric):
    client = client_for(expert_assigned)
    url = reverse("review:sheet", args=[application.pk])

    client.post(
        url, _post(rubric, ["12", "20.5", "25", "12", "13"], action="submit") | {"total": "100"}
    )
    again = client.post(url, _post(rubric, ["15", "25", "30", "15", "15"], version=2))

    sheet = ScoreSheet.objects.get(scorer=expert_assigned, stage=SheetStage.MATERIALS)
    assert (sheet.state, sheet.total) == (SheetState.SUBMITTED, D("82.5"))
    assert sheet.overall_comment == "材料完整，特色鲜明。"
    assert [s.comment for s in sheet.items.all()][:2] == ["第1项评语", "第2项评语"]
    assert "This score sheet has been submitted and is locked." in again.content.decode()
    assert ScoreSheet.objects.get(pk=sheet.pk).total == D("82.5")


def test_a_stale_tab_cannot_overwrite_a_newer_draft(application, expert_assigned, rubric):
    client = client_for(expert_assigned)
    url = reverse("review:sheet", args=[application.pk])
    client.post(url, _post(rubric, ["12", "20", "25", "12", "13"], version=1))  # tab one

    response = client.post(url, _post(rubric, ["1", "1", "1", "1", "1"], version=1))  # tab two

    sheet = ScoreSheet.objects.get(scorer=expert_assigned)
    assert "This sheet was saved elsewhere in the meantime. Reload it and try again." in (
        response.content.decode()
    )
    assert sheet.total == D("82")


def test_running_total_follows_what_is_typed(application, expert_assigned, rubric):
    response = client_for(expert_assigned).post(
        reverse("review:sheet_total", args=[application.pk]),
        _post(rubric, ["12", "20.5", "x", "", "99"]),
    )

    assert response.content.decode() == "131.5"


def test_closed_review_shows_the_sheet_read_only(application, expert_assigned, rubric):
    Application.objects.filter(pk=application.pk).update(state=ApplicationState.SCORED)

    response = client_for(expert_assigned).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["12", "20", "25", "12", "13"]),
    )

    assert "The expert review of this application is closed." in response.content.decode()
    assert not ScoreSheet.objects.filter(scorer=expert_assigned).exists()


def test_an_expert_never_sees_another_experts_scores(application, expert_assigned, rubric):
    colleague = make_expert("colleague")
    assign(application, colleague)
    client_for(colleague).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["14.5", "23.5", "28.5", "14.5", "14.5"], action="submit"),
    )

    mine = client_for(expert_assigned).get(reverse("review:sheet", args=[application.pk]))
    listing = client_for(expert_assigned).get(reverse("review:mine"))

    for response in (mine, listing):
        text = response.content.decode()
        assert "95.5" not in text
        assert "14.5" not in text


def test_applicant_and_recommender_pages_show_no_expert_score(
    application, expert_assigned, rubric, applicant_a, recommender_hz
):
    client_for(expert_assigned).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["14.5", "23.5", "28.5", "14.5", "14.5"], action="submit"),
    )
    sheet = ScoreSheet.objects.get(scorer=expert_assigned)

    applicant_page = client_for(applicant_a).get(
        reverse("applications:detail", args=[application.pk])
    )
    recommender_page = client_for(recommender_hz).get(
        reverse("recommendations:review", args=[application.pk])
    )
    for user in (applicant_a, recommender_hz):
        attachment3 = client_for(user).get(
            reverse("documents:attachment3_sheet", args=[sheet.pk, "pdf"])
        )
        assert attachment3.status_code == 404
    for response in (applicant_page, recommender_page):
        assert response.status_code == 200
        assert "95.5" not in response.content.decode()


def test_expert_downloads_attachment3_of_their_submitted_sheet(
    application, expert_assigned, rubric
):
    client = client_for(expert_assigned)
    client.post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["14.5", "23.5", "28.5", "14.5", "14.5"], action="submit"),
    )
    sheet = ScoreSheet.objects.get(scorer=expert_assigned)

    docx = client.get(reverse("documents:attachment3_sheet", args=[sheet.pk, "docx"]))
    Assignment.objects.filter(expert=expert_assigned).update(state=AssignmentState.REMOVED)
    after_removal = client.get(reverse("documents:attachment3_sheet", args=[sheet.pk, "pdf"]))

    assert docx.status_code == 200
    assert docx["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.wordprocessingml"
    )
    assert after_removal.status_code == 404


def test_other_users_of_the_role_cannot_post_for_the_expert(application, expert_assigned, rubric):
    intruder = UserFactory(username="intruder", role="expert")

    response = client_for(intruder).post(
        reverse("review:sheet", args=[application.pk]), _post(rubric, ["1", "1", "1", "1", "1"])
    )

    assert response.status_code == 404
    assert not ScoreSheet.objects.exists()


@pytest.mark.parametrize("persona", ["expert_assigned", "expert_conflicted", "expert_unassigned"])
def test_an_expert_never_gets_another_experts_sheet(request, application, rubric, persona):
    colleague = make_expert("colleague")
    assign(application, colleague)
    client_for(colleague).post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["14.5", "23.5", "28.5", "14.5", "14.5"], action="submit"),
    )
    sheet = ScoreSheet.objects.get(scorer=colleague)
    client = client_for(request.getfixturevalue(persona))

    responses = [
        client.get(reverse("documents:attachment3_sheet", args=[sheet.pk, fmt]))
        for fmt in ("pdf", "docx")
    ]

    assert [r.status_code for r in responses] == [404, 404]


def test_attachment3_of_a_submitted_sheet_carries_the_scores_and_comments(
    application, expert_assigned, rubric
):
    client = client_for(expert_assigned)
    client.post(
        reverse("review:sheet", args=[application.pk]),
        _post(rubric, ["14.5", "23.5", "28.5", "14.5", "14.5"], action="submit"),
    )
    sheet = ScoreSheet.objects.get(scorer=expert_assigned)

    response = client.get(reverse("documents:attachment3_sheet", args=[sheet.pk, "docx"]))

    word = WordDocument(BytesIO(response.content))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "95.5" in cells
    assert "14.5" in cells
    assert "第3项评语" in " ".join(cells)
    assert "材料完整，特色鲜明。" in " ".join(cells)
