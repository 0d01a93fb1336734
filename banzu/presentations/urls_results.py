"""Routes of the event: results (see banzu.presentations.urls), under /event/results/."""

from django.urls import URLPattern, path

from banzu.presentations.views import results

urlpatterns: list[URLPattern] = [
    path("", results.results, name="results"),
    path("sheets.xlsx", results.sheets_export, name="results_sheets"),
    path(
        "room/<int:pk>/summary.pdf",
        results.room_summary,
        {"fmt": "pdf"},
        name="results_summary_pdf",
    ),
    path(
        "room/<int:pk>/summary.xlsx",
        results.room_summary,
        {"fmt": "xlsx"},
        name="results_summary_xlsx",
    ),
]
