"""Screening is the provincial admin's work: to anyone else every screening page, report and
file does not exist (404), and the refusal is in the journal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from banzu.applications.models import Application
from banzu.core.access import require_admin


def screened_application_or_404(request: HttpRequest, pk: Any) -> Application:
    """An application of the current edition in the screening (it has a recommendation
    number), for the admin; 404 for anyone else and for any other application."""
    require_admin(request, "screening application", pk)
    application = (
        Application.objects.select_related("edition", "team__enterprise", "recommender")
        .filter(pk=pk, recommendation_number__isnull=False)
        .first()
    )
    if application is None:
        raise Http404
    return application
