"""The recommender's stamped scans (issue 18, item 5): 杭州's staff upload them for their batch
and its recommended applications; the provincial admin reads them (an upload is 403 to them);
everyone else finds nothing (404). An empty upload shows the batch page with its error (200)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from banzu.accounts.models import Recommender, User
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application, Document
from banzu.core import filestore
from banzu.editions.models import Edition
from banzu.recommendations import stamped
from banzu.recommendations.selectors import batch_for_view

ROWS: dict[str, str] = {
    "recommendations:stamped_attachment2": "login 404 404 200 404 404 404 403 404",
    "recommendations:stamped_attachment1": "login 404 404 200 404 404 404 403 404",
    "recommendations:stamped_view": "login 404 404 200 404 404 404 200 404",
}


def args(users: dict[str, User]) -> dict[str, dict[str, Any]]:
    hz = Recommender.objects.get(short_name="杭州")
    recommended = (
        Application.objects.filter(recommender=hz, recommendation_number__isnull=False)
        .order_by("pk")
        .first()
    )
    assert recommended is not None
    pdf = Document.objects.filter(kind=DocumentKind.MATERIALS_PDF).order_by("pk").first()
    assert pdf is not None
    scan = stamped.upload_stamped_copy(
        batch=batch_for_view(Edition.objects.get(year=2026), hz),
        user=users["rec_hz"],
        upload=SimpleUploadedFile(
            "附件1盖章.pdf", filestore.path_for(pdf.stored_name).read_bytes()
        ),
        application=recommended,
    )
    return {
        "recommendations:stamped_attachment2": {"recommender_pk": hz.pk},
        "recommendations:stamped_attachment1": {"pk": recommended.pk},
        "recommendations:stamped_view": {"pk": scan.pk},
    }
