"""The screening's background jobs; included by banzu.screening.urls under jobs/."""

from django.urls import URLPattern, path

from banzu.screening.views import jobs

urlpatterns: list[URLPattern] = [
    path("scan/", jobs.start_scan, name="start_scan"),
    path("archive/", jobs.archive, name="archive"),
    path("archive/import/", jobs.import_archive, name="import_archive"),
    path("archive/template.xlsx", jobs.archive_template, name="archive_template"),
]
