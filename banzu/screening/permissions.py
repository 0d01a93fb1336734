"""Screening is the provincial admin's work: to anyone else every screening page, report and
file does not exist (404), and the refusal is in the journal."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from banzu.accounts.enums import Role
from banzu.applications.models import Application
from banzu.audit.services import client_ip, record
from banzu.editions.models import Edition
from banzu.editions.selectors import get_current_edition


def is_screening_admin(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role == Role.ADMIN)


def require_screening_admin(request: HttpRequest, what: str = "screening", pk: Any = "") -> None:
    if not is_screening_admin(request.user):
        record(
            action="access.denied",
            actor=request.user if request.user.is_authenticated else None,
            data={"object": what, "id": str(pk), "code": "404"},
            ip=client_ip(request),
        )
        raise Http404


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
