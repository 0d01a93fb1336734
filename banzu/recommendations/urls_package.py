"""The recommender's submission package (built as a background job), included under
/documents/package/ in the `documents` namespace, where its URLs have always been."""

from django.urls import path

from banzu.recommendations.views import package

urlpatterns = [
    path(
        "recommenders/<int:recommender_pk>/start/",
        package.start,
        name="package_start",
    ),
    path(
        "recommenders/<int:recommender_pk>/status/",
        package.status,
        name="package_status",
    ),
    path("builds/<int:pk>/download/", package.download, name="package_download"),
]
