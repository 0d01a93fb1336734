"""Routes of the event: setup (see banzu.presentations.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
