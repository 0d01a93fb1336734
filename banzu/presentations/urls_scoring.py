"""Routes of the event: scoring (see banzu.presentations.urls) — the expert's phone, the
chair's page of the room's sheets, and the admin's paper sheets."""

from django.urls import URLPattern, path

from banzu.presentations.views import paper, scoring

urlpatterns: list[URLPattern] = [
    path("score/", scoring.score_home, name="score_home"),
    path("rooms/<int:pk>/score/", scoring.score, name="score"),
    path("rooms/<int:pk>/score/status/", scoring.score_status, name="score_status"),
    path("rooms/<int:pk>/score/submit/", scoring.score_submit, name="score_submit"),
    path("rooms/<int:pk>/chair/", scoring.chair_sheets, name="chair_sheets"),
    path("sheets/<int:pk>/return/", scoring.sheet_return, name="sheet_return"),
    path("paper/", paper.paper, name="paper"),
    path("sheets/<int:pk>/scan/", paper.sheet_scan, name="sheet_scan"),
]
