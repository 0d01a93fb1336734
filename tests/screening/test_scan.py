"""The plagiarism scan of an edition, run as a background task on real uploaded files."""

from __future__ import annotations

import hashlib
import random
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from docx import Document as WordDocument

from banzu.accounts.models import Recommender, User
from banzu.applications import services as application_services
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application
from banzu.core import filestore
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.recommendations import services as recommendation_services
from banzu.screening import scan
from banzu.screening.jobs import SCAN, edition_scope
from banzu.screening.models import ArchiveDocument, SimilarityReport
from tests.applications.helpers import upload
from tests.conftest import client_for
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory, complete_fields
from tests.jobs.helpers import make_job


def chinese_text(seed: int, length: int) -> str:
    """Text no other seed shares: random characters, a sentence every 30."""
    rng = random.Random(seed)
    chars = [chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(length)]
    for at in range(29, length, 30):
        chars[at] = "。"
    return "".join(chars)


def paragraphs(text: str) -> list[str]:
    return [text[start : start + 300] for start in range(0, len(text), 300)]


def extracted(text: str) -> str:
    """What the extractor reads back: the Word paragraphs joined by newlines."""
    return "\n".join(paragraphs(text))


def docx_bytes(tmp_path: Path, text: str) -> bytes:
    path = tmp_path / f"{uuid.uuid4().hex}.docx"
    document = WordDocument()
    for paragraph in paragraphs(text):
        document.add_paragraph(paragraph)
    document.save(str(path))
    return path.read_bytes()


def make_with_text(
    recommender: Recommender,
    staff: User,
    tmp_path: Path,
    team: str,
    text: str,
    enterprise: str | None = None,
) -> Application:
    """A recommended application whose Word materials hold exactly `text`."""
    application = ApplicationFactory(
        recommender=recommender,
        team=TeamFactory(
            name=team, enterprise=EnterpriseFactory(name=enterprise or f"浙江{team}建设有限公司")
        ),
    )
    folder = tmp_path / f"samples-{team}"
    folder.mkdir()
    application = application_services.save_draft(
        application=application,
        user=application.created_by,
        fields=complete_fields(),
        honours=[],
        expected_version=application.version,
    )
    application_services.upload_document(
        application=application,
        user=application.created_by,
        kind=DocumentKind.MATERIALS_DOCX,
        upload=SimpleUploadedFile("材料.docx", docx_bytes(folder, text)),
    )
    for kind in (DocumentKind.MATERIALS_PDF, DocumentKind.PRESENTATION, DocumentKind.SIGNED_FORM):
        upload(application, kind, folder)
    application = application_services.submit_application(
        application=application, user=application.created_by
    )
    return recommendation_services.recommend_application(application=application, actor=staff)


def run_scan(admin_user, capture) -> Job:
    with capture(execute=True):
        response = client_for(admin_user).post(reverse("screening:start_scan"))
    assert response.status_code == 302
    return Job.objects.get(kind=SCAN)


def scan_job(edition, admin_user, **fields) -> Job:
    return make_job(SCAN, edition_scope(edition), admin_user, **fields)


def archive_document(admin_user, *, year: int, enterprise: str, team: str, text: str):
    return ArchiveDocument.objects.create(
        year=year,
        enterprise_name=enterprise,
        team_name=team,
        title="经验",
        original_name="old.docx",
        stored_name=uuid.uuid4().hex,
        size=len(text),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        text=text,
        imported_by=admin_user,
    )


@pytest.fixture
def copied_pair(open_edition, hangzhou, recommender_hz, tmp_path):
    """钢筋班 wrote its own text; 木工班 copied 40% of it; 瓦工班 is original."""
    original = chinese_text(1, 2000)
    copied = chinese_text(2, 1200) + original[500:1300]
    first = make_with_text(hangzhou, recommender_hz, tmp_path, "钢筋班", original)
    second = make_with_text(hangzhou, recommender_hz, tmp_path, "木工班", copied)
    third = make_with_text(hangzhou, recommender_hz, tmp_path, "瓦工班", chinese_text(3, 2000))
    return first, second, third, copied


def test_scan_flags_an_application_copying_40_percent_with_its_source_and_passages(
    copied_pair, admin_user, django_capture_on_commit_callbacks
):
    first, second, third, copied = copied_pair

    job = run_scan(admin_user, django_capture_on_commit_callbacks)

    assert (job.state, job.done, job.total) == (JobState.DONE, 3, 3)
    assert job.summary["documents"] == 3
    assert job.summary["flagged"] == 2
    report = SimilarityReport.objects.get(application=second)
    assert report.text == extracted(copied)
    assert report.chars == 2006
    assert abs(report.copy_ratio - Decimal("0.4")) <= Decimal("0.01")
    assert report.max_source_ratio == report.copy_ratio
    [source] = report.sources
    assert (source["kind"], source["pk"], source["same_owner"]) == ("application", first.pk, False)
    assert source["label"] == f"{first.recommendation_number} 钢筋班"
    [[start, end, source_start, source_end]] = source["passages"]
    assert abs(start - 1200) <= 10
    assert abs(end - 2000) <= 10
    assert abs(source_start - 500) <= 10
    assert abs(source_end - 1300) <= 10
    # The same characters on both sides; only the paragraph breaks fall elsewhere.
    source_text = SimilarityReport.objects.get(application=first).text
    assert report.text[start:end].replace("\n", "") == source_text[source_start:source_end].replace(
        "\n", ""
    )
    assert SimilarityReport.objects.get(application=third).sources == []
    assert SimilarityReport.objects.get(application=third).copy_ratio == Decimal("0")


def test_scan_of_template_text_alone_gives_zero(
    open_edition, hangzhou, recommender_hz, tmp_path, admin_user, django_capture_on_commit_callbacks
):
    rubric = "\n".join(item.criteria for item in open_edition.rubric_items.all())
    first = make_with_text(
        hangzhou, recommender_hz, tmp_path, "钢筋班", rubric + chinese_text(4, 800)
    )
    second = make_with_text(
        hangzhou, recommender_hz, tmp_path, "木工班", chinese_text(5, 800) + rubric
    )

    run_scan(admin_user, django_capture_on_commit_callbacks)

    for application in (first, second):
        report = SimilarityReport.objects.get(application=application)
        assert (report.copied_chars, report.copy_ratio, report.sources) == (0, Decimal("0"), [])


def test_scan_finds_an_archive_copy_and_marks_self_reuse(
    open_edition, hangzhou, recommender_hz, tmp_path, admin_user, django_capture_on_commit_callbacks
):
    own_old, other_old = chinese_text(6, 1500), chinese_text(7, 1500)
    text = chinese_text(8, 1000) + own_old[:500] + other_old[:500]
    application = make_with_text(
        hangzhou, recommender_hz, tmp_path, "钢筋班", text, enterprise="浙江大成建设有限公司"
    )
    own = archive_document(
        admin_user, year=2024, enterprise=" 浙江大成建设 有限公司", team="钢筋班", text=own_old
    )
    other = archive_document(
        admin_user, year=2023, enterprise="宁波某公司", team="模板班", text=other_old
    )

    run_scan(admin_user, django_capture_on_commit_callbacks)

    report = SimilarityReport.objects.get(application=application)
    by_pk = {source["pk"]: source for source in report.sources}
    assert {source["kind"] for source in report.sources} == {"archive"}
    assert set(by_pk) == {own.pk, other.pk}
    assert by_pk[own.pk]["same_owner"] is True
    assert by_pk[own.pk]["label"] == "2024 ·  浙江大成建设 有限公司 · 钢筋班"
    assert by_pk[other.pk]["same_owner"] is False
    assert by_pk[other.pk]["label"] == "2023 · 宁波某公司 · 模板班"
    assert abs(report.self_copied_chars - 500) <= 10
    assert abs(report.copy_ratio - Decimal("0.5")) <= Decimal("0.01")
    assert abs(report.copy_ratio_excluding_self - Decimal("0.25")) <= Decimal("0.01")


def test_scan_marks_an_unreadable_file_and_finishes(
    copied_pair, admin_user, django_capture_on_commit_callbacks
):
    first, second, third, _copied = copied_pair
    materials = third.documents.get(kind=DocumentKind.MATERIALS_DOCX, superseded_at__isnull=True)
    filestore.path_for(materials.stored_name).write_bytes(b"PK\x03\x04 not a zip")

    job = run_scan(admin_user, django_capture_on_commit_callbacks)

    assert (job.state, job.done, job.total, job.summary["errors"]) == (JobState.DONE, 3, 3, 1)
    broken = SimilarityReport.objects.get(application=third)
    assert broken.error.startswith("docx: ")
    assert "pdf: no text found" in broken.error
    assert (broken.text, broken.sources) == ("", [])
    assert SimilarityReport.objects.get(application=second).sources[0]["pk"] == first.pk


def test_rescan_application_updates_its_report_alone(
    copied_pair, admin_user, django_capture_on_commit_callbacks
):
    _first, second, _third, _copied = copied_pair
    run_scan(admin_user, django_capture_on_commit_callbacks)
    before = SimilarityReport.objects.get(application=second)
    SimilarityReport.objects.filter(application=second).delete()

    report = scan.rescan_application(second)

    assert report.sources == before.sources
    assert (report.copy_ratio, report.copied_chars) == (before.copy_ratio, before.copied_chars)
    assert SimilarityReport.objects.count() == 3


def test_start_scan_twice_queues_one_job(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("screening:start_scan"))
        client.post(reverse("screening:start_scan"))

    assert list(Job.objects.values_list("kind", "state")) == [(SCAN, "queued")]


def test_scan_status_partial_polls_while_running(open_edition, admin_user):
    job = scan_job(
        open_edition,
        admin_user,
        state=JobState.RUNNING,
        done=2,
        total=5,
        summary={"phase": "extracting", "seconds_left": 150},
    )

    response = client_for(admin_user).get(reverse("jobs:status", args=[job.pk]))

    html = response.content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert '<progress max="5" value="2">' in html
    assert "2 of 5 documents" in html
    assert "about 2 minutes left" in html


def test_scan_status_partial_shows_the_summary_when_done(
    copied_pair, admin_user, django_capture_on_commit_callbacks
):
    job = run_scan(admin_user, django_capture_on_commit_callbacks)

    response = client_for(admin_user).get(
        reverse("jobs:status", args=[job.pk]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert "hx-trigger" not in html
    assert "Scan finished" in html
    assert "<dt>Flagged</dt><dd>2</dd>" in html


def test_scan_panel_renders_start_button_and_status(open_edition, admin_user, rf):
    from django.template.loader import render_to_string

    request = rf.get("/screening/")
    request.user = admin_user
    html = render_to_string(
        "screening/_scan_panel.html",
        {"edition": open_edition, "latest_scan": None},
        request=request,
    )

    assert f'hx-post="{reverse("screening:start_scan")}"' in html
    assert "No scan has run yet." in html


@pytest.mark.parametrize("persona", ["recommender_hz", "applicant_a", "expert", None])
def test_screening_job_views_are_404_to_anyone_but_the_admin(
    persona, request, open_edition, admin_user, django_capture_on_commit_callbacks
):
    user = request.getfixturevalue(persona) if persona else None
    job = scan_job(open_edition, admin_user)
    client = client_for(user)
    zipped = SimpleUploadedFile("a.zip", b"PK\x05\x06" + b"\0" * 18)

    with django_capture_on_commit_callbacks(execute=True):
        codes = [
            client.post(reverse("screening:start_scan")).status_code,
            client.post(reverse("screening:import_archive"), {"file": zipped}).status_code,
            client.get(reverse("jobs:status", args=[job.pk])).status_code,
            client.get(reverse("screening:archive")).status_code,
        ]

    assert codes == [404, 404, 404, 404]
    assert list(Job.objects.values_list("pk", flat=True)) == [job.pk]
