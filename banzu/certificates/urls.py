"""The pages of banzu.certificates (namespace "certificates")."""

from django.urls import URLPattern

app_name = "certificates"

urlpatterns: list[URLPattern] = []
