"""Routes of the event: scoring (see banzu.presentations.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
