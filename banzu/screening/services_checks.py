"""Running the automatic checks: inputs gathered from the database and the file store, one
`CheckResult` per check saved. The checks themselves are pure (banzu.screening.checks).

A file that cannot be extracted (broken, hostile, too slow) fails the check that needed it with
the extractor's reason; running the checks never raises for a file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from banzu.accounts.models import Enterprise
from banzu.applications import rules
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.editions.models import Edition
from banzu.screening import checks, provenance
from banzu.screening.models import CheckResult, ScreeningSettings, SimilarityReport
from banzu.screening.scan import read_stored
from banzu.similarity.extract import Extracted

SUFFIXES = {
    DocumentKind.MATERIALS_DOCX: ".docx",
    DocumentKind.MATERIALS_PDF: ".pdf",
    DocumentKind.PRESENTATION: ".pptx",
}


def settings_for(edition: Edition) -> ScreeningSettings:
    found, _created = ScreeningSettings.objects.get_or_create(edition=edition)
    return found


def edition_entries(edition: Edition) -> list[checks.Entry]:
    """The recommended applications of the edition, as the duplicate check reads them."""
    rows = (
        Application.objects.filter(edition=edition, recommendation_number__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "team__name",
            "team__enterprise__name",
            "experience_title",
            "recommendation_number",
        )
    )
    return [
        checks.Entry(
            pk=pk, team_name=team, enterprise_name=enterprise, title=title, label=number or ""
        )
        for pk, team, enterprise, title, number in rows
    ]


def _label(model: type[Application] | type[Enterprise], name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _extract(document: Document, suffix: str) -> Extracted:
    return read_stored(document.stored_name, suffix)


def _figures(report: SimilarityReport | None) -> checks.Figures | None:
    if report is None:
        return None
    top = max(report.sources or [], key=lambda s: s.get("ratio", 0), default=None)
    return checks.Figures(
        copy_ratio=float(report.copy_ratio),
        max_source_ratio=float(report.max_source_ratio),
        top_source=str(top.get("label", "")) if top else "",
        error=report.error,
        top_source_mutual=top is not None and provenance.is_mutual(top),
    )


@dataclass
class _Inputs:
    documents: Sequence[Document]
    report: SimilarityReport | None


def _outcomes(
    application: Application,
    inputs: _Inputs,
    settings: ScreeningSettings,
    entries: Sequence[checks.Entry],
) -> list[checks.Outcome]:
    enterprise = application.team.enterprise
    by_kind = {document.kind: document for document in inputs.documents}
    problems = rules.problems(application, enterprise, by_kind)
    missing_fields = [
        p.field for p in problems if p.code in ("missing_field", "missing_enterprise_field")
    ]
    labels = {
        **{name: _label(Enterprise, name) for name in rules.ENTERPRISE_FIELDS},
        **{name: _label(Application, name) for name in rules.REQUIRED_FIELDS},
    }
    extracted = {
        kind: _extract(by_kind[kind], suffix)
        for kind, suffix in SUFFIXES.items()
        if kind in by_kind
    }
    return [
        checks.check_fields(missing_fields, labels),
        checks.check_files(by_kind, {kind.value: str(kind.label) for kind in DocumentKind}),
        checks.check_word_pdf(
            extracted.get(DocumentKind.MATERIALS_DOCX),
            extracted.get(DocumentKind.MATERIALS_PDF),
            threshold=float(settings.word_pdf_agreement),
        ),
        checks.check_presentation(extracted.get(DocumentKind.PRESENTATION)),
        checks.check_stamped_form(DocumentKind.SIGNED_FORM in by_kind),
        checks.check_declarations(
            no_accident_declared=application.no_accident_declared,
            originality_pledged=application.originality_pledged,
            accident_count=application.accident_count,
        ),
        checks.check_deadline(
            application.submitted_at, application.edition.recommendation_deadline
        ),
        checks.check_duplicates(application.pk, entries),
        checks.check_plagiarism(
            _figures(inputs.report),
            copy_ratio_flag=float(settings.copy_ratio_flag),
            source_ratio_flag=float(settings.source_ratio_flag),
        ),
    ]


def _save(application: Application, outcomes: list[checks.Outcome]) -> list[CheckResult]:
    now = timezone.now()
    results = [
        CheckResult(
            application=application,
            code=outcome.code,
            status=outcome.status,
            reason=outcome.reason,
            data=outcome.data,
            checked_at=now,
        )
        for outcome in outcomes
    ]
    for result in results:
        result.full_clean(
            exclude=["application"], validate_unique=False, validate_constraints=False
        )
    # One statement per application: insert, or replace the earlier result of the same check.
    CheckResult.objects.bulk_create(
        results,
        update_conflicts=True,
        unique_fields=["application", "code"],
        update_fields=["status", "reason", "data", "checked_at"],
    )
    return results


def _current_documents() -> Prefetch:
    return Prefetch(
        "documents",
        queryset=Document.objects.filter(superseded_at__isnull=True),
        to_attr="current_documents",
    )


def run_checks(
    application: Application,
    *,
    settings: ScreeningSettings | None = None,
    edition_rows: Sequence[checks.Entry] | None = None,
) -> list[CheckResult]:
    """Run every automatic check of one application and save the results (extraction happens
    before the transaction, so no write lock is held while files are read)."""
    documents = list(application.documents.filter(superseded_at__isnull=True))
    report = SimilarityReport.objects.filter(application=application).first()
    return _run(
        application,
        _Inputs(documents, report),
        settings or settings_for(application.edition),
        edition_rows if edition_rows is not None else edition_entries(application.edition),
    )


def _run(
    application: Application,
    inputs: _Inputs,
    settings: ScreeningSettings,
    entries: Sequence[checks.Entry],
) -> list[CheckResult]:
    outcomes = _outcomes(application, inputs, settings, entries)
    with transaction.atomic():
        return _save(application, outcomes)


def refresh_plagiarism_checks(edition: Edition) -> int:
    """After a scan: the originality check of every application from its new report (cheap:
    no file is read)."""
    settings = settings_for(edition)
    applications = Application.objects.filter(
        edition=edition, recommendation_number__isnull=False
    ).select_related("similarity_report")
    count = 0
    for application in applications:
        try:
            report: SimilarityReport | None = application.similarity_report
        except SimilarityReport.DoesNotExist:
            report = None
        outcome = checks.check_plagiarism(
            _figures(report),
            copy_ratio_flag=float(settings.copy_ratio_flag),
            source_ratio_flag=float(settings.source_ratio_flag),
        )
        _save(application, [outcome])
        count += 1
    return count


def run_checks_for_edition(
    edition: Edition, *, progress: Callable[[int, int], None] | None = None
) -> int:
    """Check every recommended application of the edition; returns how many were checked."""
    settings = settings_for(edition)
    entries = edition_entries(edition)
    applications = (
        Application.objects.filter(edition=edition, recommendation_number__isnull=False)
        .select_related("edition", "team__enterprise", "similarity_report")
        .prefetch_related(_current_documents())
        .order_by("pk")
    )
    count = 0
    listed = list(applications)
    total = len(listed)
    for application in listed:
        try:
            report: SimilarityReport | None = application.similarity_report
        except SimilarityReport.DoesNotExist:
            report = None
        inputs = _Inputs(getattr(application, "current_documents", []), report)
        _run(application, inputs, settings, entries)
        count += 1
        if progress is not None:
            progress(count, total)
    return count
