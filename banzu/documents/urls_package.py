"""The recommender's submission package (built as a background task), included under
/documents/package/ by banzu.documents.urls in the `documents` namespace."""

from django.urls import path

from banzu.documents import views_package

urlpatterns = [
    path(
        "recommenders/<int:recommender_pk>/start/",
        views_package.start,
        name="package_start",
    ),
    path(
        "recommenders/<int:recommender_pk>/status/",
        views_package.status,
        name="package_status",
    ),
    path("builds/<int:pk>/download/", views_package.download, name="package_download"),
]
