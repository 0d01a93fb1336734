"""The aggregated scores and agreement statistics (the provincial admin's pages)."""

from django.urls import URLPattern, path

from banzu.review.views import results

urlpatterns: list[URLPattern] = [
    path("", results.results, name="results"),
    path("export.xlsx", results.results_xlsx, name="results_xlsx"),
]
