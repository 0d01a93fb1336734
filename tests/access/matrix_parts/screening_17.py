"""The screening pages issue 17 added (items 6 and 15): a similarity report's export (Excel or
PDF) and the archive import's index template. Both are the provincial admin's alone; to anyone
else, the anonymous included, they do not exist (404), as every screening page.

args() gives the demo's first recommended application a similarity report (the demo runs no
scan), so the admin's export answers 200."""

from __future__ import annotations

from typing import Any

from banzu.applications.models import Application
from banzu.screening.models import SimilarityReport

ROWS: dict[str, str] = {
    "screening:archive_template": "404 404 404 404 404 404 404 200 404",
    "screening:report_export": "404 404 404 404 404 404 404 200 404",
}


def args(users: dict[str, Any]) -> dict[str, dict[str, Any]]:
    application = (
        Application.objects.filter(recommendation_number__isnull=False).order_by("pk").first()
    )
    assert application is not None
    SimilarityReport.objects.get_or_create(
        application=application, defaults={"chars": 1000, "text": "甲" * 1000}
    )
    return {
        "screening:archive_template": {},
        "screening:report_export": {"pk": application.pk, "fmt": "xlsx"},
    }
