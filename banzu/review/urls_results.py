"""The aggregated scores and agreement statistics (the provincial admin's pages)."""

from django.urls import URLPattern, path

from banzu.review import views_results

urlpatterns: list[URLPattern] = [
    path("", views_results.results, name="results"),
    path("export.xlsx", views_results.results_xlsx, name="results_xlsx"),
]
