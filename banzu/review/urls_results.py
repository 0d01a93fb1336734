"""The aggregated scores and agreement statistics (the provincial admin's pages)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
