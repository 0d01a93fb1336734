"""The final publication's downloads (namespace "publicity"): the commendation notice, the full
results workbook and each recommender's region."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
