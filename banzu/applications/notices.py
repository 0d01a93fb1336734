"""Mail to applicants and the province, queued as background tasks after the commit."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from banzu.accounts.enums import Role
from banzu.accounts.models import User

logger = logging.getLogger(__name__)


@task()
def send_notice(recipients: list[str], subject: str, body: str) -> int:
    """Runs in the worker. Failing here never touches the request that queued it."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def queue(recipients: list[str], subject: str, body: str) -> None:
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return

    def enqueue() -> None:
        try:
            send_notice.enqueue(recipients, subject, body)
        except Exception:  # a broken queue must not break the request that already committed
            logger.exception("could not queue a notice to %s", recipients)

    transaction.on_commit(enqueue)


def _applicant_emails(application: Any) -> list[str]:
    return list(
        User.objects.filter(
            enterprise_id=application.team.enterprise_id, is_active=True
        ).values_list("email", flat=True)
    )


def application_changed(application: Any, action: str, reason: str) -> None:
    """Tell the enterprise's staff that their application was returned, declined or recommended."""
    with translation.override(settings.LANGUAGE_CODE):
        path = settings.SITE_URL + reverse("applications:detail", args=[application.pk])
        team = application.team.name
        if action == "return":
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
        }
    queue(_applicant_emails(application), subject, text)


def batch_submitted(batch: Any) -> None:
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Batch submitted: %(recommender)s") % {"recommender": batch.recommender.name}
        body = _("%(recommender)s submitted its batch for %(year)s: %(count)s recommended.") % {
            "recommender": batch.recommender.name,
            "year": batch.edition.year,
            "count": batch.recommended_count,
        }
    queue(admins, subject, body)
