"""The similarity report pages; included by banzu.screening.urls under reports/."""

from django.urls import URLPattern, path

from banzu.screening import views_report

urlpatterns: list[URLPattern] = [
    path("<int:pk>/", views_report.report, name="report"),
    path(
        "<int:pk>/sources/<str:kind>/<int:source_pk>/",
        views_report.side_by_side,
        name="side_by_side",
    ),
]
