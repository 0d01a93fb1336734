"""The official forms, under /documents/: each is served by the app that owns it."""

from django.urls import include, path

from banzu.applications.views import attachment1
from banzu.scoring import views as scoring_views

app_name = "documents"

urlpatterns = [
    path(
        "applications/<int:pk>/attachment1.<str:fmt>",
        attachment1.attachment1,
        name="attachment1",
    ),
    path(
        "editions/<int:year>/attachment3.<str:fmt>",
        scoring_views.attachment3_blank,
        name="attachment3",
    ),
    path(
        "sheets/<int:sheet_pk>/attachment3.<str:fmt>",
        scoring_views.attachment3_sheet,
        name="attachment3_sheet",
    ),
    path("package/", include("banzu.recommendations.urls_package")),
]
