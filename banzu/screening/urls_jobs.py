"""Filled in by its feature; included by banzu.screening.urls."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
