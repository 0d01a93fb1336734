"""The pages of banzu.publicity (namespace "publicity")."""

from django.urls import URLPattern

app_name = "publicity"

urlpatterns: list[URLPattern] = []
