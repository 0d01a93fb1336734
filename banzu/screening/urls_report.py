"""The similarity report pages; included by banzu.screening.urls under reports/."""

from django.urls import URLPattern, path

from banzu.screening.views import report

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", report.report, name="report"),
    path("<int:pk>/report.<str:fmt>", report.report_export, name="report_export"),
    path(
        "<int:pk>/sources/<str:kind>/<int:source_pk>/",
        report.side_by_side,
        name="side_by_side",
    ),
]
