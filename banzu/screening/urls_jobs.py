"""The screening's background jobs; included by banzu.screening.urls under jobs/."""

from django.urls import URLPattern, path

from banzu.screening import views_jobs

urlpatterns: list[URLPattern] = [
    path("scan/", views_jobs.start_scan, name="start_scan"),
    path("archive/", views_jobs.archive, name="archive"),
    path("archive/import/", views_jobs.import_archive, name="import_archive"),
]
