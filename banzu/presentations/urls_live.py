"""Routes of the event: live (see banzu.presentations.urls)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
