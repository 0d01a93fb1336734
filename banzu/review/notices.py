"""The expert review's mail, in the interface's default language, queued after the commit
(banzu.core.outbox.queue)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.core.outbox import queue
from banzu.editions.models import Edition
from banzu.review.models import Assignment
from banzu.scoring.models import ScoreSheet


def sheet_reopened(sheet: ScoreSheet, reason: str) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL + reverse("review:sheet", args=[sheet.application_id])
        queue(
            [sheet.scorer.email],
            _("Your score sheet was reopened: %(team)s") % {"team": sheet.application.team.name},
            _(
                "The association reopened your score sheet for %(team)s so that you can correct "
                "it.\n\nReason: %(reason)s\n\nPlease submit it again: %(url)s"
            )
            % {"team": sheet.application.team.name, "reason": reason, "url": url},
        )


def experts_assigned(edition: Edition, expert_ids: Sequence[int]) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL + reverse("review:mine")
        for expert in User.objects.filter(pk__in=expert_ids):
            queue(
                [expert.email],
                _("Applications to review: %(edition)s") % {"edition": edition.title},
                _(
                    "Dear %(name)s,\n\nYou have been asked to review application materials. "
                    "Before you see any material, please declare for each application whether "
                    "you have a conflict of interest.\n\n%(url)s"
                )
                % {"name": expert.display_name, "url": url},
            )


def conflict_declared(assignment: Assignment) -> None:
    admins = list(
        User.objects.filter(role=Role.ADMIN, is_active=True).values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL + reverse("review:assign")
        queue(
            admins,
            _("Conflict declared: %(team)s") % {"team": assignment.application.team.name},
            _(
                "%(expert)s declared a conflict of interest with %(team)s and no longer reviews "
                "it.\n\nReason: %(reason)s\n\nAssign another expert: %(url)s"
            )
            % {
                "expert": assignment.expert.display_name,
                "team": assignment.application.team.name,
                "reason": assignment.reason,
                "url": url,
            },
        )


def reminder(expert: User, outstanding: int, pending: int, due: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        url = settings.SITE_URL + reverse("review:mine")
        lines = [
            _("Dear %(name)s,") % {"name": expert.display_name},
            "",
            _("You still have %(n)s score sheets to submit.") % {"n": outstanding},
        ]
        if pending:
            lines.append(_("%(n)s of them wait for your conflict declaration.") % {"n": pending})
        if due is not None:
            lines.append(
                _("Sheets are due by %(due)s.")
                % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")}
            )
        lines += ["", url]
        queue([expert.email], _("Reminder: score sheets to submit"), "\n".join(lines))
