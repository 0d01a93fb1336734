"""The similarity report of one application and its side-by-side view against one source.

Admin only (screened_application_or_404): to an applicant or a recommender neither page
exists, so no one sees another application's text through a report.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from banzu.applications.models import Application
from banzu.core.responses import attachment_response
from banzu.documents.render import as_format, render_file
from banzu.screening import provenance
from banzu.screening.highlight import side_by_side as build_columns
from banzu.screening.layouts import report_document
from banzu.screening.models import ArchiveDocument, SimilarityReport
from banzu.screening.permissions import screened_application_or_404
from banzu.similarity import format_ratio

KINDS = ("application", "archive")


def percent(value: Any) -> str:
    """A ratio in [0, 1] as every page shows it (48.8%)."""
    return format_ratio(float(value or 0))


def _report_or_none(application: Application) -> SimilarityReport | None:
    return SimilarityReport.objects.filter(application=application).first()


def _source_entry(report: SimilarityReport, kind: str, source_pk: int) -> dict[str, Any]:
    for source in report.sources or []:
        if source.get("kind") == kind and source.get("pk") == source_pk:
            return dict(source)
    raise Http404


def _source_text(application: Application, kind: str, source_pk: int) -> tuple[str, list[Any]]:
    """The source's text and its common spans; an application source must be in the same
    screening (same edition, recommended), else it does not exist."""
    if kind == "archive":
        text = ArchiveDocument.objects.filter(pk=source_pk).values_list("text", flat=True).first()
        if text is None:
            raise Http404
        return text, []
    row = (
        SimilarityReport.objects.filter(
            application_id=source_pk,
            application__edition_id=application.edition_id,
            application__recommendation_number__isnull=False,
        )
        .exclude(application_id=application.pk)
        .values_list("text", "common_spans")
        .first()
    )
    if row is None:
        raise Http404
    return row[0], list(row[1] or [])


def _sources(found: SimilarityReport | None) -> list[dict[str, Any]]:
    if found is None:
        return []
    return [
        {
            **source,
            "ratio_display": percent(source.get("ratio")),
            "passage_count": len(source.get("passages") or []),
        }
        for source in sorted(
            found.sources or [], key=lambda s: (-float(s.get("ratio") or 0), s.get("label", ""))
        )
    ]


def _figures(found: SimilarityReport | None) -> dict[str, str] | None:
    if found is None:
        return None
    return {
        "copy_ratio": percent(found.copy_ratio),
        "max_source_ratio": percent(found.max_source_ratio),
        "self_ratio": percent(found.self_copied_chars / found.chars if found.chars else 0),
        "copy_ratio_excluding_self": percent(found.copy_ratio_excluding_self),
    }


@require_GET
def report(request: HttpRequest, pk: int) -> HttpResponse:
    application = screened_application_or_404(request, pk)
    found = _report_or_none(application)
    dates, sources = provenance.dated_sources(application, _sources(found))
    return render(
        request,
        "screening/report.html",
        {
            "application": application,
            "report": found,
            "figures": _figures(found),
            "sources": sources,
            "dates": dates,
            "edition_year": application.edition.year,
        },
    )


@require_GET
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report as a file to keep with the decision: Excel, or PDF to print."""
    application = screened_application_or_404(request, pk)
    chosen = as_format(fmt, ("xlsx", "pdf"))
    found = _report_or_none(application)
    figures = _figures(found)
    if chosen is None or found is None or figures is None:
        raise Http404
    dates, sources = provenance.dated_sources(application, _sources(found))
    document = report_document(
        application, found, figures, sources, dates=dates, today=timezone.localdate()
    )
    rendered = render_file(document, f"相似度报告_{application.recommendation_number}", chosen)
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )


@require_GET
def side_by_side(request: HttpRequest, pk: int, kind: str, source_pk: int) -> HttpResponse:
    application = screened_application_or_404(request, pk)
    if kind not in KINDS:
        raise Http404
    found = _report_or_none(application)
    if found is None:
        raise Http404
    dates, (source,) = provenance.dated_sources(
        application, [_source_entry(found, kind, source_pk)]
    )
    source_text, source_common = _source_text(application, kind, source_pk)
    columns = build_columns(
        found.text,
        source_text,
        source.get("passages") or [],
        found.common_spans or [],
        source_common,
    )
    return render(
        request,
        "screening/side_by_side.html",
        {
            "application": application,
            "report": found,
            "source": source,
            "dates": dates,
            "ratio": percent(source.get("ratio")),
            "left": columns.left,
            "right": columns.right,
            "passages": [
                {"number": n, "chars": p[1] - p[0], "source_chars": p[3] - p[2]}
                for n, p in enumerate(columns.passages, 1)
            ],
        },
    )
