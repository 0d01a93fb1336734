"""The pages of banzu.certificates (namespace "certificates")."""

from django.urls import URLPattern, path

from banzu.certificates import views

app_name = "certificates"

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("versions/<int:pk>/", views.version, name="version"),
    path("versions/<int:pk>/issue/", views.issue, name="issue"),
    path("versions/<int:pk>/zip/", views.build_zip, name="build_zip"),
    path("versions/<int:pk>/zip/status/", views.zip_status, name="zip_status"),
    path("zips/<int:pk>/download/", views.zip_download, name="zip_download"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/pdf/", views.download, name="pdf"),
    path("mine/", views.mine, name="mine"),
    path("result/<int:pk>/", views.result, name="result"),
    path("v/<str:token>/", views.verify, name="verify"),
]
