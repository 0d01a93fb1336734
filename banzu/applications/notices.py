"""Mail to applicants and the province, queued as background tasks after the commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.core.outbox import queue
from banzu.core.outbox import send_notice as send_notice  # queued tasks name this path


def _local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _applicant_emails(application: Any) -> list[str]:
    return list(
        User.objects.filter(
            enterprise_id=application.team.enterprise_id, is_active=True
        ).values_list("email", flat=True)
    )


def application_changed(application: Any, action: str, reason: str) -> None:
    """Tell the enterprise's staff that their application was received (the receipt of a
    submission), returned, declined or recommended."""
    with translation.override(settings.LANGUAGE_CODE):
        path = settings.SITE_URL + reverse("applications:detail", args=[application.pk])
        team = application.team.name
        if action == "submit":
            subject = _("Application received: %(team)s") % {"team": team}
            body = _(
                "The application of %(team)s was submitted to %(recommender)s on %(when)s "
                "(Beijing time). This mail is your receipt.\n\n"
                "What happens next: %(recommender)s reviews and scores it, then recommends it "
                "to the provincial association (or returns it to you with what to change) "
                "before %(deadline)s. You can follow each stage on the application's page: "
                "%(path)s"
            )
        elif action == "return":
            subject = _("Your application was returned: %(team)s") % {"team": team}
            body = _(
                "%(recommender)s returned the application of %(team)s for changes.\n\n"
                "Reason: %(reason)s\n\nPlease correct it and submit it again before the "
                "deadline: %(path)s"
            )
        elif action == "decline":
            subject = _("Your application was not recommended: %(team)s") % {"team": team}
            body = _(
                "%(recommender)s decided not to recommend the application of %(team)s.\n\n"
                "Reason: %(reason)s\n\n%(path)s"
            )
        elif action == "recommend":
            subject = _("Your application was recommended: %(team)s") % {"team": team}
            body = _(
                "%(recommender)s recommended the application of %(team)s to the provincial "
                "association with number %(number)s.\n\n%(path)s"
            )
        else:
            return
        text = body % {
            "recommender": application.recommender.name,
            "team": team,
            "reason": reason,
            "path": path,
            "number": application.recommendation_number or "",
            "when": _local(application.submitted_at),
            "deadline": _local(application.edition.recommendation_deadline),
        }
    queue(_applicant_emails(application), subject, text)


def batch_submitted(batch: Any, *, recommended_count: int) -> None:
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Batch submitted: %(recommender)s") % {"recommender": batch.recommender.name}
        body = _("%(recommender)s submitted its batch for %(year)s: %(count)s recommended.") % {
            "recommender": batch.recommender.name,
            "year": batch.edition.year,
            "count": recommended_count,
        }
    queue(admins, subject, body)
