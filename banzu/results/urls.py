"""The pages of banzu.results (namespace "results"), the provincial admin's."""

from django.urls import URLPattern, path

from banzu.results import views

app_name = "results"

urlpatterns: list[URLPattern] = [
    path("", views.preview, name="preview"),
    path("seal/", views.seal, name="seal"),
    path("settings/", views.settings, name="settings"),
    path("versions/", views.version_list, name="versions"),
    path("versions/diff/", views.version_diff, name="diff"),
    path("versions/<int:number>/", views.version, name="version"),
]
