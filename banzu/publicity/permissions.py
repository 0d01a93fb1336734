"""Objections exist for the admin alone: to anyone else they are 404 (journalled)."""

from __future__ import annotations

from django.http import HttpRequest

from banzu.core.access import deny, is_admin
from banzu.publicity.models import Objection


def get_objection_for_user_or_404(request: HttpRequest, pk: int) -> Objection:
    if not is_admin(request.user):
        raise deny(request, "objection", pk)
    objection = (
        Objection.objects.select_related("publicity__edition", "application__team__enterprise")
        .filter(pk=pk)
        .first()
    )
    if objection is None:
        raise deny(request, "objection", pk)
    return objection
