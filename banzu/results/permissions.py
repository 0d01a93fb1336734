"""Who may see the edition's results versions: the provincial admin alone (to anyone else they
do not exist: 404, journalled)."""

from __future__ import annotations

from django.http import HttpRequest

from banzu.core.access import deny, require_admin
from banzu.editions.models import Edition
from banzu.results.models import ResultsVersion


def get_version_for_user_or_404(
    request: HttpRequest, edition: Edition, number: int
) -> ResultsVersion:
    """The edition's version `number`, for the admin."""
    require_admin(request, "results version", number)
    version = (
        ResultsVersion.objects.filter(edition=edition, number=number)
        .select_related("created_by", "sealed_by", "previous")
        .first()
    )
    if version is None:
        raise deny(request, "results version", number)
    return version
