"""The expert pool's pages (the provincial admin's). Names live in the `review` namespace."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
