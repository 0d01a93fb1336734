"""The demo's plagiarism check (banzu/demo/plagiarism.py, banzu/demo/materials.py): the 2024
archive imported, the 2026 scan run, and what it finds is what the demo planted — over the demo
built once for the folder (tests/demo/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from banzu.applications.models import Application
from banzu.demo import materials
from banzu.demo.builder import DemoFiles
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening import provenance
from banzu.screening.checks import check_word_pdf
from banzu.screening.enums import CheckStatus
from banzu.screening.jobs import ARCHIVE_IMPORT, SCAN
from banzu.screening.models import ArchiveDocument, ScreeningSettings, SimilarityReport
from banzu.similarity import format_ratio
from banzu.similarity.extract import extract

pytestmark = [pytest.mark.demo, pytest.mark.django_db]


def _application(who: tuple[int, str, str]) -> Application:
    year, enterprise, team = who
    return Application.objects.get(
        edition__year=year, team__enterprise__name=enterprise, team__name=team
    )


def _passages(report: SimilarityReport) -> list[str]:
    return [
        report.text[start:end]
        for source in report.sources
        for start, end, _source_start, _source_end in source["passages"]
    ]


def test_the_demo_imports_the_2024_archive_and_scans_2026(demo):
    jobs = {job.kind: job.state for job in Job.objects.filter(kind__in=[ARCHIVE_IMPORT, SCAN])}
    archived = ArchiveDocument.objects.order_by("enterprise_name").values_list(
        "year", "enterprise_name", "team_name", "title"
    )

    assert jobs == {ARCHIVE_IMPORT: JobState.DONE, SCAN: JobState.DONE}
    assert list(archived) == sorted(materials.ARCHIVE, key=lambda row: row[1])
    assert (
        SimilarityReport.objects.count()
        == Application.objects.filter(
            edition__year=2026, recommendation_number__isnull=False
        ).count()
    )


def test_the_copier_is_found_with_its_two_sentences_and_not_its_own(demo):
    report = SimilarityReport.objects.get(application=_application(materials.COPIER))
    source = ArchiveDocument.objects.get(enterprise_name=materials.SOURCE[1])

    assert [(s["kind"], s["pk"], s["label"]) for s in report.sources] == [
        ("archive", source.pk, "2024 · 宁波华丰建设股份有限公司 · 钢结构安装班")
    ]
    assert _passages(report) == list(materials.COPIED)
    assert materials.OWN_BETWEEN in report.text
    assert format_ratio(float(report.copy_ratio)) == "28.9%"
    assert report.copied_chars == sum(len(sentence) for sentence in materials.COPIED)


def test_the_mutual_pair_is_found_both_ways_and_marked_mutual(demo):
    first, second = (_application(who) for who in materials.MUTUAL)
    for application, other in ((first, second), (second, first)):
        report = SimilarityReport.objects.get(application=application)
        _dates, sources = provenance.dated_sources(application, list(report.sources))

        assert [(s["kind"], s["pk"], s["mutual"]) for s in sources] == [
            ("application", other.pk, True)
        ]
        assert _passages(report) == [materials.SHARED]


def test_only_the_planted_cases_reach_the_flags(demo):
    limits = ScreeningSettings.objects.get(edition__year=2026)
    flagged = {
        (report.application.team.enterprise.name, report.application.team.name)
        for report in SimilarityReport.objects.select_related("application__team__enterprise")
        if report.copy_ratio >= limits.copy_ratio_flag
        or report.max_source_ratio >= limits.source_ratio_flag
    }
    others = SimilarityReport.objects.exclude(
        application__in=[_application(who) for who in (materials.COPIER, *materials.MUTUAL)]
    )

    assert flagged == {who[1:] for who in (materials.COPIER, *materials.MUTUAL)}
    assert {format_ratio(float(report.copy_ratio)) for report in others} == {"0.0%"}


def test_each_application_has_materials_of_its_own_that_its_pdf_agrees_with(demo, tmp_path: Path):
    files = DemoFiles.build()
    copier = _application(materials.COPIER)
    docx, pdf = files.materials_of(copier)
    (tmp_path / "materials.docx").write_bytes(docx)
    (tmp_path / "materials.pdf").write_bytes(pdf)
    texts = {
        files.materials_of(application)[0]
        for application in Application.objects.filter(edition__year=2026)
    }

    outcome = check_word_pdf(
        extract(tmp_path / "materials.docx"), extract(tmp_path / "materials.pdf"), threshold=0.95
    )

    assert outcome.status == CheckStatus.PASS
    assert len(texts) == Application.objects.filter(edition__year=2026).count()
