"""Routes of the event: results (see banzu.presentations.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
