"""The pages of banzu.publicity (namespace "publicity")."""

from django.urls import URLPattern, path

from banzu.publicity import urls_downloads, views

app_name = "publicity"

urlpatterns: list[URLPattern] = [
    path("objection-status/", views.status, name="status"),
    path("admin/<int:year>/open/", views.open_window, name="open"),
    path("admin/<int:year>/publish/", views.publish, name="publish"),
    path("admin/<int:year>/objections/", views.objections, name="objections"),
    path("admin/objections/<int:pk>/", views.objection, name="objection"),
    path("admin/objections/<int:pk>/files/<int:file_pk>/", views.objection_file, name="file"),
    path("<int:year>/", views.public, name="public"),
    path("<int:year>/notice.<str:fmt>", views.notice, name="notice"),
    path("<int:year>/objection/", views.objection_form, name="object"),
    *urls_downloads.urlpatterns,
]
