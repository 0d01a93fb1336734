"""The admin's progress board, reminders, the end of the review, and reopening a sheet."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.review.enums import AssignmentState
from banzu.review.models import Reminder
from banzu.review.selectors import progress
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet, SheetVersion
from banzu.scoring.services import ItemInput, save_sheet
from tests.conftest import client_for
from tests.factories import EnterpriseFactory
from tests.review.conftest import assign, make_expert, reviewed_application

pytestmark = pytest.mark.django_db


def score(application, expert, points=("12", "20", "25", "12", "13"), *, submit=True):
    rubric = list(application.edition.rubric_items.all())
    return save_sheet(
        application=application,
        scorer=expert,
        stage=SheetStage.MATERIALS,
        items={
            item.pk: ItemInput(D(p), f"第{item.position}项评语")
            for item, p in zip(rubric, points, strict=True)
        },
        overall_comment="总体较好",
        expected_version=None,
        submit=submit,
    )


@pytest.fixture
def three_experts(application):
    """On the application: one submitted (82), one with a draft, one yet to declare."""
    done, drafting, waiting = (make_expert(n) for n in ("done", "drafting", "waiting"))
    assign(application, done)
    assign(application, drafting)
    assign(application, waiting, AssignmentState.PENDING)
    score(application, done)
    score(application, drafting, submit=False)
    return done, drafting, waiting


def test_progress_counts_per_expert_and_per_application(application, three_experts):
    board = progress(application.edition)

    rows = {row.expert.username: row for row in board.experts}
    assert [
        (r.assigned, r.pending, r.drafts, r.submitted)
        for r in (rows["done"], rows["drafting"], rows["waiting"])
    ] == [(1, 0, 0, 1), (1, 0, 1, 0), (1, 1, 0, 0)]
    [row] = board.applications
    assert (row.assigned, row.submitted) == (3, 1)
    assert (board.sheets_due, board.sheets_submitted) == (3, 1)


def test_board_page_shows_both_tables(application, three_experts, admin_user):
    response = client_for(admin_user).get(reverse("review:board"))

    text = response.content.decode()
    assert "1 of 3 sheets submitted" in text
    assert "Remind the 2 experts who are behind" in text
    assert application.team.name in text


def test_reminders_go_only_to_experts_who_are_behind(
    application, three_experts, admin_user, django_capture_on_commit_callbacks
):
    _done, drafting, waiting = three_experts

    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(reverse("review:remind"))

    assert sorted(m.to[0] for m in mail.outbox) == sorted([drafting.email, waiting.email])
    waiting_mail = next(m for m in mail.outbox if m.to == [waiting.email])
    assert "1" in waiting_mail.body
    assert sorted(Reminder.objects.values_list("expert__username", "outstanding")) == [
        ("drafting", 1),
        ("waiting", 1),
    ]
    assert AuditEntry.objects.filter(action="review.remind").get().data == {"experts": 2}


def test_reminder_to_one_expert(
    application, three_experts, admin_user, django_capture_on_commit_callbacks
):
    _done, drafting, _waiting = three_experts

    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(reverse("review:remind"), {"expert": drafting.pk})

    assert [m.to for m in mail.outbox] == [[drafting.email]]


def test_finish_moves_only_complete_applications_to_scored(edition, admin_user):
    complete = reviewed_application(edition=edition)
    incomplete = reviewed_application(edition=edition, team__enterprise=EnterpriseFactory())
    experts = [make_expert(f"x{n}") for n in range(3)]
    for expert in experts:
        assign(complete, expert)
        assign(incomplete, expert)
        score(complete, expert)
    score(incomplete, experts[0])

    client_for(admin_user).post(reverse("review:finish"))

    complete.refresh_from_db()
    incomplete.refresh_from_db()
    assert (complete.state, incomplete.state) == (
        ApplicationState.SCORED,
        ApplicationState.UNDER_REVIEW,
    )


def test_board_queries_do_not_grow_with_applications(edition, admin_user):
    experts = [make_expert(f"q{n}") for n in range(3)]
    client = client_for(admin_user)

    def queries_after_adding(n):
        for _ in range(n):
            application = reviewed_application(
                edition=edition, team__enterprise=EnterpriseFactory()
            )
            for expert in experts:
                assign(application, expert)
            score(application, experts[0])
        client.get(reverse("review:board"))  # the first request also loads the session's caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review:board")).status_code == 200
        return len(captured)

    assert queries_after_adding(1) == queries_after_adding(2)


# --- Reopening -------------------------------------------------------------------------------


def test_admin_reopens_a_submitted_sheet_keeping_the_old_version(
    application, three_experts, admin_user, django_capture_on_commit_callbacks
):
    done = three_experts[0]
    sheet = ScoreSheet.objects.get(scorer=done)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            reverse("review:reopen", args=[sheet.pk]), {"reason": "第3项分数录入有误"}
        )

    sheet.refresh_from_db()
    old = SheetVersion.objects.get(sheet=sheet)
    assert response["Location"] == reverse("review:application", args=[application.pk])
    assert (sheet.state, sheet.submitted_at) == (SheetState.DRAFT, None)
    assert (old.version, old.total, old.reason) == (2, D("82.0"), "第3项分数录入有误")
    assert [line["points"] for line in old.items] == ["12.0", "20.0", "25.0", "12.0", "13.0"]
    assert old.overall_comment == "总体较好"
    entry = AuditEntry.objects.filter(action="score.reopen").get()
    assert (entry.data["kept_version"], entry.data["reason"]) == (old.pk, "第3项分数录入有误")
    assert [m.to for m in mail.outbox] == [[done.email]]


def test_reopened_sheet_can_be_corrected_and_submitted_again(
    application, three_experts, admin_user
):
    done = three_experts[0]
    sheet = ScoreSheet.objects.get(scorer=done)
    client_for(admin_user).post(reverse("review:reopen", args=[sheet.pk]), {"reason": "复核"})

    score(application, done, ("13", "20", "25", "12", "13"))

    sheet.refresh_from_db()
    page = client_for(admin_user).get(reverse("review:application", args=[application.pk]))
    assert (sheet.state, sheet.total) == (SheetState.SUBMITTED, D("83.0"))
    text = page.content.decode()
    assert "earlier version 2" in text
    assert "复核" in text


def test_reopening_needs_a_reason_and_a_submitted_sheet(application, three_experts, admin_user):
    done, drafting, _waiting = three_experts
    client = client_for(admin_user)

    no_reason = client.post(
        reverse("review:reopen", args=[ScoreSheet.objects.get(scorer=done).pk]),
        {"reason": ""},
        follow=True,
    )
    draft = client.post(
        reverse("review:reopen", args=[ScoreSheet.objects.get(scorer=drafting).pk]),
        {"reason": "复核"},
        follow=True,
    )

    assert "Please give a reason." in no_reason.content.decode()
    assert "Only a submitted sheet can be reopened." in draft.content.decode()
    assert not SheetVersion.objects.exists()


@pytest.mark.parametrize("persona", ["expert_assigned", "applicant_a", "recommender_hz"])
def test_only_the_admin_reopens(request, application, three_experts, persona):
    sheet = ScoreSheet.objects.get(scorer=three_experts[0])

    response = client_for(request.getfixturevalue(persona)).post(
        reverse("review:reopen", args=[sheet.pk]), {"reason": "复核"}
    )
    page = client_for(request.getfixturevalue(persona)).get(
        reverse("review:application", args=[application.pk])
    )

    assert (response.status_code, page.status_code) == (404, 404)
    assert ScoreSheet.objects.get(pk=sheet.pk).state == SheetState.SUBMITTED


def test_reopening_after_the_review_closed_takes_the_application_back(edition, admin_user):
    application = reviewed_application(edition=edition)
    experts = [make_expert(f"y{n}") for n in range(3)]
    for expert in experts:
        assign(application, expert)
        score(application, expert)
    client = client_for(admin_user)
    client.post(reverse("review:finish"))
    application.refresh_from_db()
    assert application.state == ApplicationState.SCORED
    sheet = ScoreSheet.objects.get(scorer=experts[0])

    client.post(reverse("review:reopen", args=[sheet.pk]), {"reason": "总分计算需复核"})

    application.refresh_from_db()
    sheet.refresh_from_db()
    assert (application.state, application.state_reason) == (
        ApplicationState.UNDER_REVIEW,
        "总分计算需复核",
    )
    assert sheet.state == SheetState.DRAFT
    entry = AuditEntry.objects.filter(action="application.reopen_review").get()
    assert (entry.data["from"], entry.data["to"]) == ("scored", "under_review")
