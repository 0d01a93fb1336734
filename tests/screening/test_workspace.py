"""The screening workspace: who sees it, what it lists, and the decisions taken there."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.screening.enums import CheckCode, CheckStatus, EliminationReason
from banzu.screening.models import CheckResult, Decision, SimilarityReport
from tests.conftest import client_for
from tests.documents.conftest import make_recommended
from tests.screening.conftest import all_checks_pass, submit_batch

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def two_waiting(open_edition, hangzhou, recommender_hz, tmp_path):
    """Two recommended applications of 杭州, whose batch is still open."""
    return (
        make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班"),
        make_recommended(hangzhou, recommender_hz, tmp_path, "木工班"),
    )


@pytest.fixture
def two(two_waiting, recommender_hz):
    """The same two, 杭州's batch submitted: in the screening."""
    submit_batch(two_waiting[0], recommender_hz)
    return two_waiting


@pytest.mark.parametrize(
    "persona", ["recommender_hz", "recommender_nb", "applicant_a", "expert", "owner"]
)
@pytest.mark.parametrize(
    ("name", "method", "args"),
    [
        ("workspace", "get", False),
        ("decide", "get", True),
        ("decide", "post", True),
        ("pass_many", "post", False),
        ("summary", "get", False),
        ("summary_xlsx", "get", False),
    ],
)
def test_every_screening_page_is_404_outside_the_province(
    request, two, persona, name, method, args
):
    user = two[0].created_by if persona == "owner" else request.getfixturevalue(persona)
    url = reverse(f"screening:{name}", args=[two[0].pk] if args else [])

    response = getattr(client_for(user), method)(url, {"decision": "pass"})

    assert response.status_code == 404
    assert Application.objects.get(pk=two[0].pk).state == ApplicationState.RECOMMENDED


def test_the_workspace_lists_each_application_with_its_marks(two, admin_user):
    first, second = two
    CheckResult.objects.create(
        application=first, code=CheckCode.WORD_PDF, status=CheckStatus.FAIL, reason="72%"
    )
    SimilarityReport.objects.create(application=first, chars=1000, copy_ratio="0.4100")

    response = client_for(admin_user).get(reverse("screening:workspace"), **EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert [row.application for row in response.context["rows"]] == [first, second]
    assert (
        '<span class="mark mark-fail" title="72%"><span aria-hidden="true">✗</span> '
        "Word and PDF agree: Fail</span>"
    ) in html
    assert '<span class="mark mark-none"><span aria-hidden="true">·</span> Not run yet</span>' in (
        html
    )
    assert ">41.0%</a>" in html


def test_the_check_filter_keeps_failing_applications(two, admin_user):
    first, _second = two
    CheckResult.objects.create(
        application=first, code=CheckCode.DEADLINE, status=CheckStatus.FAIL, reason="late"
    )

    response = client_for(admin_user).get(
        reverse("screening:workspace"), {"check": CheckCode.DEADLINE}
    )

    assert [row.application for row in response.context["rows"]] == [first]


def test_the_workspace_takes_a_fixed_number_of_queries(
    two, admin_user, django_assert_max_num_queries
):
    from tests.factories import ApplicationFactory

    for number in range(40):
        application = ApplicationFactory(
            edition=two[0].edition,
            recommender=two[0].recommender,
            state=ApplicationState.RECOMMENDED,
            recommendation_number=f"杭-2026-{100 + number:03d}",
        )
        CheckResult.objects.create(
            application=application, code=CheckCode.FIELDS, status=CheckStatus.PASS
        )
        SimilarityReport.objects.create(application=application, chars=10)
    client = client_for(admin_user)

    with django_assert_max_num_queries(16):
        response = client.get(reverse("screening:workspace"))

    assert len(response.context["rows"]) == 42


def test_eliminating_with_a_reason_tells_the_enterprise_and_is_journalled(two, admin_user):
    first, _ = two

    response = client_for(admin_user).post(
        reverse("screening:decide", args=[first.pk]),
        {"decision": "eliminate", "reason_code": "incomplete", "reason_text": "缺少PDF版材料"},
        **EN,
    )

    first.refresh_from_db()
    assert response.status_code == 302
    assert (first.state, first.state_reason) == (
        ApplicationState.ELIMINATED,
        "Incomplete：缺少PDF版材料",
    )
    decision = Decision.objects.get(application=first)
    assert (decision.outcome, decision.reason_code, decision.reason_text) == (
        Decision.Outcome.ELIMINATED,
        EliminationReason.INCOMPLETE,
        "缺少PDF版材料",
    )
    entry = AuditEntry.objects.filter(action="application.eliminate").get()
    assert entry.data["reason"] == "Incomplete：缺少PDF版材料"
    page = client_for(first.created_by).get(reverse("applications:detail", args=[first.pk]), **EN)
    assert "缺少PDF版材料" in page.content.decode()


def test_eliminating_without_a_reason_is_refused(two, admin_user):
    response = client_for(admin_user).post(
        reverse("screening:decide", args=[two[0].pk]), {"decision": "eliminate"}, **EN
    )

    assert response.status_code == 200
    assert "Choose the reason for the elimination." in response.content.decode()
    assert Decision.objects.count() == 0


def test_disqualifying_for_plagiarism_keeps_the_evidence(two, admin_user):
    first, second = two
    SimilarityReport.objects.create(
        application=first,
        chars=1000,
        copied_chars=400,
        copy_ratio="0.4000",
        max_source_ratio="0.4000",
        sources=[
            {
                "kind": "application",
                "pk": second.pk,
                "label": "杭-2026-002 木工班",
                "copied_chars": 400,
                "ratio": 0.4,
                "passages": [[0, 400, 100, 500]],
            }
        ],
    )

    client_for(admin_user).post(
        reverse("screening:decide", args=[first.pk]),
        {"decision": "disqualify", "reason_text": "第二部分与木工班材料雷同"},
    )

    first.refresh_from_db()
    decision = Decision.objects.get(application=first)
    assert first.state == ApplicationState.DISQUALIFIED
    assert decision.evidence["copy_ratio"] == "0.4000"
    assert decision.evidence["sources"][0]["label"] == "杭-2026-002 木工班"
    assert decision.evidence["sources"][0]["passages"] == [[0, 400, 100, 500]]
    # What the screener saw of which came first is kept with the decision (issue 19, item 5).
    second.refresh_from_db()
    assert (decision.evidence["sources"][0]["mutual"], decision.evidence["sources"][0]["year"]) == (
        True,
        None,
    )
    assert decision.evidence["sources"][0]["submitted_at"] == second.submitted_at.isoformat()
    assert decision.evidence["submitted_at"] == first.submitted_at.isoformat()


def test_passing_many_at_once(two, admin_user):
    first, second = two
    all_checks_pass(first)
    all_checks_pass(second)

    client_for(admin_user).post(
        reverse("screening:pass_many"), {"applications": [first.pk, second.pk]}
    )

    states = sorted(Application.objects.get(pk=a.pk).state for a in two)
    assert states == [ApplicationState.SCREENED, ApplicationState.SCREENED]
    assert Decision.objects.filter(outcome=Decision.Outcome.PASSED).count() == 2


def test_the_summary_counts_per_recommender_and_reason_and_downloads_as_excel(two, admin_user):
    first, second = two
    all_checks_pass(first)
    client = client_for(admin_user)
    client.post(reverse("screening:decide", args=[first.pk]), {"decision": "pass"})
    client.post(
        reverse("screening:decide", args=[second.pk]),
        {"decision": "eliminate", "reason_code": "late", "reason_text": ""},
    )

    page = client.get(reverse("screening:summary"), **EN)
    download = client.get(reverse("screening:summary_xlsx"))

    [row] = page.context["rows"]
    assert (row.total, row.passed, row.eliminated, row.pending, row.by_reason["late"]) == (
        2,
        1,
        1,
        0,
        1,
    )
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert sheet["A1"].value == "2026 年度质量信得过班组形式审查汇总表"
    assert [c.value for c in sheet[4]][:6] == ["杭州市建筑业协会", 2, 1, 1, 0, 0]


def test_a_submitted_batch_starts_the_automatic_checks(
    two_waiting, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    from banzu.jobs.models import Job
    from banzu.recommendations.enums import BatchState
    from banzu.recommendations.models import Batch
    from banzu.recommendations.services import transition_batch
    from banzu.screening.jobs import CHECKS

    two = two_waiting
    batch, _ = Batch.objects.get_or_create(edition=two[0].edition, recommender=hangzhou)
    with django_capture_on_commit_callbacks(execute=True):
        transition_batch(batch, to=BatchState.SUBMITTED, actor=recommender_hz)

    job = Job.objects.get(kind=CHECKS)
    assert (job.state, job.done, job.total) == ("done", 2, 2)
    assert CheckResult.objects.filter(application=two[0]).count() == len(CheckCode.values)
    assert job.summary["checked"] == 2


def test_the_thresholds_are_edition_settings_the_admin_edits(two, admin_user):
    from banzu.screening.models import ScreeningSettings

    page = client_for(admin_user).get(reverse("screening:settings")).content.decode()
    assert 'name="copy_ratio_flag" value="30"' in page  # shown in percent, not 0.300

    response = client_for(admin_user).post(
        reverse("screening:settings"),
        {
            "copy_ratio_flag": "25",  # typed in percent (issue 17, item 14)
            "source_ratio_flag": "15%",
            "word_pdf_agreement": "95",
            "common_df": "12",
        },
    )

    settings = ScreeningSettings.objects.get(edition=two[0].edition)
    assert response.status_code == 302
    assert (
        str(settings.copy_ratio_flag),
        str(settings.source_ratio_flag),
        str(settings.word_pdf_agreement),
        settings.common_df,
    ) == ("0.250", "0.150", "0.950", 12)
    entry = AuditEntry.objects.filter(action="screening.settings").get()
    assert entry.data["copy_ratio_flag"] == "0.250"


def test_a_threshold_above_one_is_refused(two, admin_user):
    response = client_for(admin_user).post(
        reverse("screening:settings"),
        {
            "copy_ratio_flag": "150",
            "source_ratio_flag": "20",
            "word_pdf_agreement": "90",
            "common_df": "10",
        },
    )

    assert response.status_code == 200
    assert "copy_ratio_flag" in response.context["form"].errors


def test_the_recommender_and_the_enterprise_see_the_outcome_and_reason(
    two, admin_user, recommender_hz
):
    first, _ = two
    client_for(admin_user).post(
        reverse("screening:decide", args=[first.pk]),
        {"decision": "eliminate", "reason_code": "late", "reason_text": "逾期提交"},
    )

    owner_page = client_for(first.created_by).get(reverse("applications:detail", args=[first.pk]))
    recommender_page = client_for(recommender_hz).get(
        reverse("recommendations:review", args=[first.pk])
    )

    assert "The provincial association eliminated this application in the screening." in (
        owner_page.content.decode()
    )
    for page in (owner_page, recommender_page):
        assert "Late：逾期提交" in page.content.decode()


def test_new_materials_of_a_scanned_application_queue_its_rescan(
    two, django_capture_on_commit_callbacks, monkeypatch, tmp_path
):
    from banzu.applications.enums import DocumentKind
    from banzu.jobs import services as job_services
    from banzu.jobs.models import Job
    from banzu.screening.jobs import RESCAN
    from tests.applications.helpers import upload

    first, _ = two
    SimilarityReport.objects.create(application=first, chars=10)
    queued = []
    monkeypatch.setattr(job_services, "_enqueue", queued.append)
    Application.objects.filter(pk=first.pk).update(state=ApplicationState.DRAFT)
    first.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        upload(first, DocumentKind.MATERIALS_PDF, tmp_path)

    rescan = Job.objects.get(kind=RESCAN)
    assert queued == [rescan.pk]
    assert (rescan.scope_type, rescan.scope_id, rescan.state) == ("application", first.pk, "queued")


def test_the_decision_page_shows_the_passages_where_word_and_pdf_differ(two, admin_user):
    first, _ = two
    CheckResult.objects.create(
        application=first,
        code=CheckCode.WORD_PDF,
        status=CheckStatus.FAIL,
        reason="Word and PDF agree on 72% of the text",
        data={
            "differences": [
                {
                    "word": [10, 30],
                    "pdf": [12, 20],
                    "word_excerpt": "班组开展QC活动三次",
                    "pdf_excerpt": "班组开展QC活动五次",
                }
            ]
        },
    )

    html = (
        client_for(admin_user)
        .get(reverse("screening:decide", args=[first.pk]), **EN)
        .content.decode()
    )

    assert "The passages that differ" in html
    assert "<td>班组开展QC活动三次</td><td>班组开展QC活动五次</td>" in html


def test_check_files_knows_the_archive_and_reports_a_lost_archive_file(admin_user, capsys):
    import hashlib

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from banzu.core import filestore
    from banzu.screening.models import ArchiveDocument

    kept = filestore.commit_temp(filestore.write_temp([b"archive text"]))
    ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="甲公司",
        original_name="a.docx",
        stored_name=kept,
        size=12,
        sha256=hashlib.sha256(b"archive text").hexdigest(),
        imported_by=admin_user,
    )
    lost = ArchiveDocument.objects.create(
        year=2024,
        enterprise_name="乙公司",
        original_name="b.docx",
        stored_name="0" * 32,
        size=1,
        sha256="1" * 64,
        imported_by=admin_user,
    )

    with pytest.raises(CommandError):
        call_command("check_files")

    out = capsys.readouterr().out
    assert kept not in out
    assert f"row without file: archive document {lost.pk} ({'0' * 32})" in out
