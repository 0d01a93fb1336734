"""The applicant's certificates on the home page (through banzu.core.hooks.dashboard_cards,
since banzu.applications below may not import certificates), and the recommender's way to its
region's certificates."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from banzu.certificates.permissions import certificates_for_user
from banzu.core import hooks
from banzu.core.access import is_applicant, is_recommender_staff


@receiver(hooks.dashboard_cards, dispatch_uid="certificates.card")
def certificates_card(sender: type, request: Any, user: Any, **kwargs: Any) -> SafeString | None:
    if not (is_applicant(user) or is_recommender_staff(user)):
        return None
    certificates = list(certificates_for_user(user).order_by("-edition__year", "serial"))
    if not certificates:
        return None
    return render_to_string(
        "certificates/_card.html",
        {"certificates": certificates, "recommender": is_recommender_staff(user)},
        request=request,
    )
