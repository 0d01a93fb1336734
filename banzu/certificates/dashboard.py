"""The applicant's published results on its home page (through banzu.core.hooks.dashboard_cards,
since banzu.applications below may not import certificates), each with its page and certificate.
Before publication there is no card: one query finds no published application. A recommender
reaches its region's results and certificates through the navigation (certificates:mine)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from banzu.certificates.results import published_applications, results_for
from banzu.core import hooks
from banzu.core.access import is_applicant


@receiver(hooks.dashboard_cards, dispatch_uid="certificates.card")
def certificates_card(sender: type, request: Any, user: Any, **kwargs: Any) -> SafeString | None:
    if not is_applicant(user):
        return None
    applications = list(published_applications(user))
    if not applications:
        return None
    return render_to_string(
        "certificates/_card.html", {"results": results_for(applications)}, request=request
    )
