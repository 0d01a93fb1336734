"""The recommender's submission package (built as a background task). Filled in by the package
feature; included under /documents/package/ by banzu.documents.urls."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
