"""The scan checks the archive through its compact index on disk (banzu.similarity.archive):
built when missing or stale, rebuilt by the archive import job, swapped in whole."""

from __future__ import annotations

from pathlib import Path

from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening import scan
from banzu.screening.jobs import ARCHIVE_IMPORT
from banzu.screening.models import SimilarityReport
from banzu.similarity.archive import ArchiveIndex
from tests.screening.test_archive import csv_index, make_zip, post_zip
from tests.screening.test_scan import (
    archive_document,
    chinese_text,
    docx_bytes,
    make_with_text,
    run_scan,
)


def _current() -> Path:
    return (scan.index_root() / "current").resolve()


def test_a_scan_builds_the_missing_index_and_rebuilds_it_when_the_archive_grew(
    open_edition, hangzhou, recommender_hz, tmp_path, admin_user, django_capture_on_commit_callbacks
):
    old, newer = chinese_text(21, 1500), chinese_text(22, 1500)
    text = chinese_text(23, 1000) + old[:400] + newer[:600]
    application = make_with_text(hangzhou, recommender_hz, tmp_path, "钢筋班", text)
    first = archive_document(admin_user, year=2023, enterprise="甲公司", team="模板班", text=old)
    other = archive_document(
        admin_user, year=2023, enterprise="乙公司", team="木工班", text=chinese_text(24, 900)
    )
    scan.build_archive_index()  # of these two documents
    before = _current()
    second = archive_document(admin_user, year=2024, enterprise="丙公司", team="瓦工班", text=newer)

    job = run_scan(admin_user, django_capture_on_commit_callbacks)

    report = SimilarityReport.objects.get(application=application)
    assert [s["pk"] for s in report.sources] == [second.pk, first.pk]
    assert job.summary["archive_documents"] == 3
    assert _current() != before
    assert ArchiveIndex(_current()).ids == [
        f"archive:{pk}" for pk in (first.pk, other.pk, second.pk)
    ]
    assert scan.refresh_archive_index() is False  # up to date: not built again


def test_the_archive_import_job_rebuilds_the_index_and_keeps_its_own_progress(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    scan.build_archive_index()
    empty = _current()
    content = make_zip(
        {
            "index.csv": csv_index(
                [
                    ["2024", "浙江甲建设有限公司", "钢筋班", "钢筋一次合格", "a.docx"],
                    ["2023", "宁波乙建工集团有限公司", "模板班", "模板周转", "b.docx"],
                ]
            ),
            "a.docx": docx_bytes(tmp_path, chinese_text(31, 600)),
            "b.docx": docx_bytes(tmp_path, chinese_text(32, 600)),
        }
    )

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    index = ArchiveIndex(_current())
    assert (job.state, job.done, job.total) == (JobState.DONE, 2, 2)
    assert _current() != empty
    assert len(index.ids) == 2
    assert index.owners == [
        scan.owner_key("浙江甲建设有限公司"),
        scan.owner_key("宁波乙建工集团有限公司"),
    ]
    assert scan.refresh_archive_index() is False


def test_a_new_index_is_swapped_in_and_the_one_before_it_kept_for_checks_under_way(
    open_edition, admin_user
):
    archive_document(
        admin_user, year=2024, enterprise="甲公司", team="钢筋班", text=chinese_text(41, 500)
    )
    first = scan.build_archive_index()
    second = scan.build_archive_index()
    third = scan.build_archive_index()

    assert _current() == third
    assert (second.exists(), first.exists()) == (True, False)
    assert sorted(p.name for p in scan.index_root().iterdir()) == sorted(
        ["current", "lock", second.name, third.name]
    )
