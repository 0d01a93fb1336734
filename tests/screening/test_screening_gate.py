"""Issue 17, item 5: the bulk pass takes only applications whose automatic checks all passed;
the others are passed one by one with a reason the journal keeps; nothing of a recommender is
decided before its batch is submitted."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.screening import services
from banzu.screening.enums import CheckCode, CheckStatus, EliminationReason
from banzu.screening.models import CheckResult, Decision
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.screening.conftest import all_checks_pass, submit_batch

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def three(open_edition, hangzhou, recommender_hz, tmp_path):
    """杭州's batch submitted with three recommended applications: 钢筋班 passed every check,
    木工班 failed "Word and PDF agree", 瓦工班 has not been checked."""
    clean = make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
    failed = make_recommended(hangzhou, recommender_hz, tmp_path, "木工班")
    unchecked = make_recommended(hangzhou, recommender_hz, tmp_path, "瓦工班")
    submit_batch(clean, recommender_hz)
    all_checks_pass(clean)
    all_checks_pass(failed)
    CheckResult.objects.filter(application=failed, code=CheckCode.WORD_PDF).update(
        status=CheckStatus.FAIL, reason="Word and PDF agree on 72% of the text"
    )
    return clean, failed, unchecked


@pytest.fixture
def waiting(open_edition, ningbo, recommender_nb, tmp_path):
    """宁波's recommended application, every check passed, its batch still open."""
    application = make_recommended(ningbo, recommender_nb, tmp_path, "电工班")
    all_checks_pass(application)
    return application


def _states(*applications: Application) -> list[str]:
    return [Application.objects.get(pk=a.pk).state for a in applications]


def test_the_bulk_pass_takes_only_the_clean_ones_and_lists_the_others(three, admin_user):
    clean, failed, unchecked = three

    response = client_for(admin_user).post(
        reverse("screening:pass_many"),
        {"applications": [clean.pk, failed.pk, unchecked.pk]},
        **EN,
    )

    assert _states(clean, failed, unchecked) == [
        ApplicationState.SCREENED,
        ApplicationState.RECOMMENDED,
        ApplicationState.RECOMMENDED,
    ]
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert texts[:2] == [
        "1 passed the screening.",
        "2 not passed: an application whose checks are not all passed is decided on its own "
        "page, with a reason.",
    ]
    assert texts[2].startswith("木工班: Its automatic checks are not all passed (")
    assert "Word and PDF agree: Fail" in texts[2]
    assert texts[3].startswith("瓦工班: Its automatic checks are not all passed (")
    assert "Originality: Not run yet" in texts[3]
    assert not AuditEntry.objects.filter(action="screening.pass_confirmed").exists()


def test_the_workspace_offers_the_bulk_pass_for_clean_applications_only(three, admin_user):
    clean, failed, unchecked = three

    response = client_for(admin_user).get(reverse("screening:workspace"), **EN)

    html = response.content.decode()
    assert f'name="applications" value="{clean.pk}"' in html
    assert f'name="applications" value="{failed.pk}"' not in html
    assert f'name="applications" value="{unchecked.pk}"' not in html
    rows = {row.application.pk: row for row in response.context["rows"]}
    assert [rows[a.pk].passes_in_bulk for a in three] == [True, False, False]
    assert [rows[a.pk].needs_confirmation for a in three] == [False, True, True]
    tally = response.context["tally"]
    assert (tally.in_bulk, tally.to_confirm, tally.waiting, tally.decided) == (1, 2, 0, 0)


def test_a_failed_check_is_passed_alone_with_a_reason_the_journal_keeps(three, admin_user):
    _clean, failed, _unchecked = three
    client = client_for(admin_user)
    url = reverse("screening:decide", args=[failed.pk])

    refused = client.post(url, {"decision": "pass"}, **EN)
    passed = client.post(
        url, {"decision": "pass", "confirmation": "PDF为盖章扫描件，文字经人工核对一致"}, **EN
    )

    assert refused.status_code == 200
    assert refused.context["form"].errors["confirmation"] == [
        "Say why it passes although its automatic checks are not all passed."
    ]
    assert passed.status_code == 302
    assert _states(failed) == [ApplicationState.SCREENED]
    entry = AuditEntry.objects.get(action="screening.pass_confirmed")
    assert (entry.target_id, entry.actor_id, entry.data) == (
        failed.pk,
        admin_user.pk,
        {"checks": {"word_pdf": "fail"}, "reason": "PDF为盖章扫描件，文字经人工核对一致"},
    )
    decision = Decision.objects.get(application=failed)
    assert (decision.outcome, decision.reason_text) == (
        Decision.Outcome.PASSED,
        "PDF为盖章扫描件，文字经人工核对一致",
    )


def test_the_service_refuses_to_pass_open_checks_without_a_reason(three, admin_user):
    _clean, _failed, unchecked = three

    with pytest.raises(ServiceError) as refused:
        services.pass_after_checks(unchecked, actor=admin_user, confirmation="  ")

    assert refused.value.code == "checks_open"
    assert _states(unchecked) == [ApplicationState.RECOMMENDED]
    services.pass_after_checks(unchecked, actor=admin_user, confirmation="检查未运行，已人工核对")
    entry = AuditEntry.objects.get(action="screening.pass_confirmed")
    assert entry.data["checks"] == dict.fromkeys(CheckCode.values, "not_run")


def test_the_decision_page_lists_the_open_checks_and_asks_for_the_reason(three, admin_user):
    clean, failed, _unchecked = three
    client = client_for(admin_user)

    open_page = client.get(reverse("screening:decide", args=[failed.pk]), **EN)
    clean_page = client.get(reverse("screening:decide", args=[clean.pk]), **EN)

    assert [str(check) for check in open_page.context["open_checks"]] == [
        "Word and PDF agree: Fail"
    ]
    assert "1 automatic check has not passed:" in open_page.content.decode()
    assert "confirmation" in open_page.context["form"].fields
    assert clean_page.context["open_checks"] == []
    assert "confirmation" not in clean_page.context["form"].fields


def test_before_its_batch_an_application_waits_and_is_not_decidable(three, waiting, admin_user):
    client = client_for(admin_user)

    workspace = client.get(reverse("screening:workspace"), **EN)
    page = client.get(reverse("screening:decide", args=[waiting.pk]), **EN)
    posted = client.post(reverse("screening:decide", args=[waiting.pk]), {"decision": "pass"})
    bulk = client.post(reverse("screening:pass_many"), {"applications": [waiting.pk]}, **EN)

    row = next(r for r in workspace.context["rows"] if r.application.pk == waiting.pk)
    assert (row.waiting_for_batch, row.passes_in_bulk, row.needs_confirmation) == (
        True,
        False,
        False,
    )
    assert workspace.context["tally"].waiting == 1
    html = workspace.content.decode()
    assert f'name="applications" value="{waiting.pk}"' not in html
    assert "Waiting for the batch" in html
    assert "has not submitted its batch yet" in page.content.decode()
    assert b'name="decision"' not in page.content
    assert posted.status_code == 200
    assert bulk.status_code == 302
    assert _states(waiting) == [ApplicationState.RECOMMENDED]
    assert not Decision.objects.filter(application=waiting).exists()


@pytest.mark.parametrize("decide", ["pass", "pass_after_checks", "eliminate", "disqualify"])
def test_the_service_refuses_every_decision_before_the_batch(waiting, admin_user, decide):
    calls = {
        "pass": lambda: services.pass_application(waiting, actor=admin_user),
        "pass_after_checks": lambda: services.pass_after_checks(waiting, actor=admin_user),
        "eliminate": lambda: services.eliminate(
            waiting, actor=admin_user, reason_code=EliminationReason.LATE
        ),
        "disqualify": lambda: services.disqualify_for_plagiarism(
            waiting, actor=admin_user, reason_text="雷同"
        ),
    }

    with pytest.raises(ServiceError) as refused:
        calls[decide]()

    assert refused.value.code == "batch_open"
    assert _states(waiting) == [ApplicationState.RECOMMENDED]


def test_a_submitted_batch_opens_the_screening(waiting, admin_user, recommender_nb):
    submit_batch(waiting, recommender_nb)

    services.pass_after_checks(waiting, actor=admin_user)

    assert _states(waiting) == [ApplicationState.SCREENED]
