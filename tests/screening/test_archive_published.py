"""The plagiarism archive grows by itself: when an edition is published, the materials of its
published applications join the archive (a background job) and the next edition's scan finds
them."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.applications.models import Document as StoredDocument
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.editions.models import Edition
from banzu.editions.signals import edition_published
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.publicity import publication
from banzu.publicity import services as publicity_services
from banzu.results.versions import seal, settings_for
from banzu.screening import jobs as screening_jobs
from banzu.screening.archive_messages import reason
from banzu.screening.enums import ArchiveSource
from banzu.screening.models import ArchiveDocument, SimilarityReport
from tests.conftest import client_for
from tests.factories import ApplicationFactory
from tests.results.test_gather import build_results
from tests.screening.test_scan import (
    archive_document,
    chinese_text,
    docx_bytes,
    extracted,
    make_with_text,
)

TEXTS = {name: chinese_text(seed, 900) for seed, name in enumerate(["钢筋班", "模板班"], 40)}


def set_state(application: Application, state: ApplicationState) -> Application:
    """The state a factory would give: this test is about what publication leaves behind."""
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return application


def materials(application: Application, content: bytes) -> StoredDocument:
    """Store `content` as the application's current Word materials."""
    stored_name = filestore.commit_temp(filestore.write_temp([content]))
    return StoredDocument.objects.create(
        application=application,
        kind=DocumentKind.MATERIALS_DOCX,
        original_name="材料.docx",
        stored_name=stored_name,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=application.created_by,
    )


def publish_signal(edition: Edition, admin_user, capture) -> Job:
    with capture(execute=True):
        edition_published.send(sender=None, edition=edition, by=admin_user)
    return Job.objects.filter(kind=screening_jobs.ARCHIVE_PUBLISHED).first()


def current_docx(application: Application) -> StoredDocument:
    return application.documents.get(kind=DocumentKind.MATERIALS_DOCX, superseded_at__isnull=True)


@pytest.fixture
def published_world(open_edition, hangzhou, recommender_hz, tmp_path):
    """2026: 钢筋班 and 模板班 published; 木工班 eliminated, 瓦工班 disqualified, 架子班 ranked
    but not yet published; each with its own Word materials."""

    def make(team: str, text: str, enterprise: str) -> Application:
        return make_with_text(hangzhou, recommender_hz, tmp_path, team, text, enterprise=enterprise)

    published = [
        set_state(
            make("钢筋班", TEXTS["钢筋班"], "浙江甲建设有限公司"), ApplicationState.PUBLISHED
        ),
        set_state(
            make("模板班", TEXTS["模板班"], "宁波乙建工集团有限公司"), ApplicationState.PUBLISHED
        ),
    ]
    others = [
        set_state(make("木工班", chinese_text(50, 900), "浙江丙公司"), ApplicationState.ELIMINATED),
        set_state(
            make("瓦工班", chinese_text(51, 900), "浙江丁公司"), ApplicationState.DISQUALIFIED
        ),
        set_state(make("架子班", chinese_text(52, 900), "浙江戊公司"), ApplicationState.RANKED),
    ]
    return published, others


def archived_rows() -> list[tuple]:
    return list(
        ArchiveDocument.objects.order_by("team_name").values_list(
            "year", "enterprise_name", "team_name", "title", "source", "application_id", "text"
        )
    )


def test_publication_archives_the_published_applications_materials_only(
    published_world, open_edition, admin_user, django_capture_on_commit_callbacks
):
    (steel, formwork), _others = published_world

    job = publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)

    assert (job.state, job.done, job.total, job.created_by) == (JobState.DONE, 2, 2, admin_user)
    assert job.summary == {
        "phase": "done",
        "edition": 2026,
        "applications": 2,
        "added": 2,
        "unreadable": 0,
        "already_archived": 0,
        "skipped": [],
    }
    title = "以精细化管理提升钢筋加工一次合格率"
    assert archived_rows() == [
        (
            2026,
            "宁波乙建工集团有限公司",
            "模板班",
            title,
            "publication",
            formwork.pk,
            extracted(TEXTS["模板班"]),
        ),
        (
            2026,
            "浙江甲建设有限公司",
            "钢筋班",
            title,
            "publication",
            steel.pk,
            extracted(TEXTS["钢筋班"]),
        ),
    ]
    # The archive keeps its own copy of the file the text was read from.
    source = current_docx(steel)
    archived = ArchiveDocument.objects.get(application=steel)
    assert (archived.original_name, archived.size, archived.sha256, archived.imported_by) == (
        "材料.docx",
        source.size,
        source.sha256,
        admin_user,
    )
    assert archived.stored_name != source.stored_name
    assert (
        filestore.path_for(archived.stored_name).read_bytes()
        == filestore.path_for(source.stored_name).read_bytes()
    )
    entry = AuditEntry.objects.get(action="screening.archive.published")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (
        admin_user.pk,
        "editions.edition",
        open_edition.pk,
    )
    assert entry.data == {
        "edition": 2026,
        "applications": 2,
        "added": 2,
        "unreadable": 0,
        "already_archived": 0,
        "skipped": 0,
    }
    assert AuditEntry.objects.filter(action="screening.archive.take_published").count() == 1


def test_a_second_publication_signal_adds_nothing(
    published_world, open_edition, admin_user, django_capture_on_commit_callbacks
):
    publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)
    first = archived_rows()

    second = publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)

    assert archived_rows() == first
    assert len(first) == 2
    assert (second.state, second.summary["added"], second.summary["already_archived"]) == (
        JobState.DONE,
        0,
        2,
    )
    assert Job.objects.filter(kind=screening_jobs.ARCHIVE_PUBLISHED).count() == 2
    assert [
        entry.data["added"]
        for entry in AuditEntry.objects.filter(action="screening.archive.published").order_by("seq")
    ] == [2, 0]


def test_a_file_already_imported_is_skipped_with_its_reason(
    published_world, open_edition, admin_user, django_capture_on_commit_callbacks
):
    (steel, formwork), _others = published_world
    imported = archive_document(
        admin_user, year=2026, enterprise="浙江甲建设有限公司", team="钢筋班", text="旧"
    )
    ArchiveDocument.objects.filter(pk=imported.pk).update(sha256=current_docx(steel).sha256)

    job = publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)

    assert job.summary["added"] == 1
    assert job.summary["skipped"] == [
        {"application": steel.pk, "team": "钢筋班", "code": "duplicate", "params": {}}
    ]
    # Worded when read, in the reader's language.
    with translation.override("en"):
        assert reason(job.summary["skipped"][0]) == "The same file is already in the archive."
    assert list(ArchiveDocument.objects.order_by("pk").values_list("source", "application_id")) == [
        (ArchiveSource.IMPORT, None),
        (ArchiveSource.PUBLICATION, formwork.pk),
    ]
    entry = AuditEntry.objects.get(action="screening.archive.published")
    assert (entry.data["added"], entry.data["skipped"]) == (1, 1)


def test_the_next_editions_scan_finds_the_archived_source(
    published_world, open_edition, admin_user, tmp_path, django_capture_on_commit_callbacks
):
    next_edition = Edition.objects.create(
        year=2027,
        title="2027年度",
        notice_number="浙建协〔2027〕1号",
        registration_opens_at=open_edition.registration_opens_at,
        recommendation_deadline=open_edition.recommendation_deadline,
    )
    copied = chinese_text(60, 600) + TEXTS["钢筋班"][100:700]
    copier = ApplicationFactory(
        edition=next_edition,
        state=ApplicationState.RECOMMENDED,
        team__name="电工班",
        recommendation_number="杭-2027-001",
    )
    materials(copier, docx_bytes(tmp_path, copied))

    def scan() -> SimilarityReport:
        with django_capture_on_commit_callbacks(execute=True):
            screening_jobs.start_scan(edition=next_edition, user=admin_user)
        return SimilarityReport.objects.get(application=copier)

    # Before the publication the 2026 materials are no source for 2027.
    assert scan().sources == []

    publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)
    report = scan()

    archived = ArchiveDocument.objects.get(team_name="钢筋班")
    [source] = report.sources
    assert (source["kind"], source["pk"], source["label"], source["same_owner"]) == (
        "archive",
        archived.pk,
        "2026 · 浙江甲建设有限公司 · 钢筋班",
        False,
    )
    assert 0.49 <= source["ratio"] <= 0.51


def test_archive_page_shows_where_each_document_came_from(
    published_world, open_edition, admin_user, django_capture_on_commit_callbacks
):
    archive_document(admin_user, year=2024, enterprise="旧公司", team="旧班", text="旧文本")
    publish_signal(open_edition, admin_user, django_capture_on_commit_callbacks)

    response = client_for(admin_user).get(reverse("screening:archive"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "3 documents" in html
    assert html.count('<td data-label="Source">Published edition 2026</td>') == 2
    assert html.count('<td data-label="Source">Imported ZIP</td>') == 1
    assert "The published materials of 2026 were added to the archive" in html
    assert "<dt>Added</dt><dd>2</dd>" in html


def test_archive_page_before_any_publication_says_so(open_edition, admin_user):
    response = client_for(admin_user).get(reverse("screening:archive"))

    assert "No published edition has been added to the archive yet." in response.content.decode()


# --- Through the real publication ---------------------------------------------------------------

TODAY = dt.date(2026, 12, 7)
AFTER_WINDOW = dt.date(2026, 12, 14)


def test_publishing_the_results_archives_the_published_teams(
    edition, admin_user, tmp_path: Path, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(publicity_services, "today", lambda: TODAY)
    world = build_results(edition)
    for seed, found in enumerate(world.teams.values(), start=70):
        materials(found, docx_bytes(tmp_path, chinese_text(seed, 300)))
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.save()
    seal(edition, by=admin_user)
    opened = publicity_services.open_publicity(
        edition, publicity_services.Window(starts_on=TODAY, working_days=5), by=admin_user
    )
    monkeypatch.setattr(publication, "today", lambda: AFTER_WINDOW)

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish(
            opened, notice_number="浙建协〔2026〕9号", notice_date=AFTER_WINDOW, by=admin_user
        )

    published = ["甲班组", "乙班组", "丙班组", "丁班组", "戊班组", "己班组"]
    job = Job.objects.get(kind=screening_jobs.ARCHIVE_PUBLISHED)
    assert (job.state, job.summary["added"], job.created_by) == (JobState.DONE, 6, admin_user)
    assert list(
        ArchiveDocument.objects.order_by("application_id").values_list(
            "year", "team_name", "application_id", "source"
        )
    ) == [(2026, name, world.pk(name), "publication") for name in published]
    # The eliminated and the disqualified teams are not published, so not archived.
    assert dict(
        Application.objects.filter(pk__in=[world.pk("庚班组"), world.pk("辛班组")]).values_list(
            "team__name", "state"
        )
    ) == {"庚班组": "eliminated", "辛班组": "disqualified"}
