"""Screening is the provincial admin's work: to anyone else every screening page, report and
file does not exist (404), and the refusal is in the journal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from banzu.applications.models import Application
from banzu.core.access import require_admin
from banzu.editions.models import Edition
from banzu.editions.selectors import get_current_edition


def require_screening_admin(request: HttpRequest, what: str = "screening", pk: Any = "") -> None:
    require_admin(request, what, pk)


def current_edition_or_404() -> Edition:
    edition = get_current_edition()
    if edition is None:
        raise Http404
    return edition


def screened_application_or_404(request: HttpRequest, pk: Any) -> Application:
    """An application of the current edition in the screening (it has a recommendation
    number), for the admin; 404 for anyone else and for any other application."""
    require_screening_admin(request, "screening application", pk)
    application = (
        Application.objects.select_related("edition", "team__enterprise", "recommender")
        .filter(pk=pk, recommendation_number__isnull=False)
        .first()
    )
    if application is None:
        raise Http404
    return application
