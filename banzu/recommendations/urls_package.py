"""The recommender's submission package (built as a background job), included under
/documents/package/ in the `documents` namespace, where its URLs have always been."""

from django.urls import path

from banzu.recommendations import views_package

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
