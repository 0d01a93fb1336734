"""The presentation event's pages, one module of routes per part (namespace "presentations")."""

from django.urls import include, path

app_name = "presentations"

urlpatterns = [
    path("setup/", include("banzu.presentations.urls_setup")),
    path("", include("banzu.presentations.urls_live")),
    path("", include("banzu.presentations.urls_scoring")),
    path("results/", include("banzu.presentations.urls_results")),
]
