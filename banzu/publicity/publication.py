"""Final publication of an edition's results, after its publicity window.

Once the window has closed and every objection is decided, the admin publishes the version the
publicity shows: every application of that version with a result (ranked, or listed apart after
its materials were scored) moves to `ranked` and then `published` through the one transition
function; the publicity records the commendation notice's number and date; the edition's
`edition_published` signal lets the lower stages react (the plagiarism archive takes the
published materials); applicants and recommenders are mailed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.services import transition
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.editions.models import Edition
from banzu.editions.signals import edition_published
from banzu.publicity.models import ObjectionState, Publicity
from banzu.publicity.services import latest_sealed, mail_staff, today
from banzu.results.enums import ApartReason

actions.register("publicity.published")

# The states an application of the version may be in when it is published: presented (ranked
# by the version) or scored without presenting (listed apart with its materials score).
PUBLISHABLE = (ApplicationState.PRESENTED, ApplicationState.SCORED, ApplicationState.RANKED)


@dataclass(frozen=True)
class Readiness:
    """What still stands between the publicity and publication (empty: ready)."""

    problems: list[str]

    @property
    def ready(self) -> bool:
        return not self.problems


def readiness(publicity: Publicity, on: date | None = None) -> Readiness:
    day = on or today()
    problems: list[str] = []
    if publicity.published:
        problems.append(_("The results are already published."))
        return Readiness(problems)
    if not publicity.is_over_on(day):
        problems.append(
            _("The publicity window runs until %(day)s; publish after it has closed.")
            % {"day": publicity.ends_on.isoformat()}
        )
    waiting = list(
        publicity.objections.filter(state=ObjectionState.RECEIVED).values_list("receipt", flat=True)
    )
    if waiting:
        problems.append(
            _("Decide every objection first: %(receipts)s.") % {"receipts": ", ".join(waiting)}
        )
    latest = latest_sealed(publicity.edition)
    if latest is not None and latest.pk != publicity.version_id:
        problems.append(
            _(
                "Results version %(latest)s was sealed after the version the publicity shows "
                "(%(shown)s); publish only what the public has seen."
            )
            % {"latest": latest.number, "shown": publicity.version.number}
        )
    return Readiness(problems)


def published_ids(publicity: Publicity) -> list[int]:
    """The applications of the version shown that receive a published result: every ranked
    team and every team listed apart that is not eliminated or disqualified."""
    payload = publicity.version.payload
    ids = [int(row["application"]) for row in payload.get("rows", [])]
    ids += [
        int(row["application"])
        for row in payload.get("apart", [])
        if row.get("reason") not in (ApartReason.ELIMINATED, ApartReason.DISQUALIFIED)
    ]
    return ids


def publish(
    publicity: Publicity,
    *,
    notice_number: str,
    notice_date: date,
    by: User,
    ip: str | None = None,
) -> Publicity:
    notice_number = notice_number.strip()
    if not notice_number:
        raise ServiceError(
            _("Give the commendation notice's number."),
            code="notice_number",
            field_errors={"notice_number": _("Give the commendation notice's number.")},
        )
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=publicity.edition_id)
        locked = Publicity.objects.select_related("edition", "version").get(pk=publicity.pk)
        found = readiness(locked)
        if not found.ready:
            raise ServiceError(" ".join(found.problems), code="not_ready")
        ids = published_ids(locked)
        applications = list(
            Application.objects.filter(pk__in=ids, state__in=PUBLISHABLE)
            .select_related("team")
            .order_by("pk")
        )
        for application in applications:
            if application.state != ApplicationState.RANKED:
                application = transition(application, to=ApplicationState.RANKED, actor=by, ip=ip)
            transition(application, to=ApplicationState.PUBLISHED, actor=by, ip=ip)
        now = timezone.now()
        locked.published = True
        locked.closed = True
        locked.published_at = now
        locked.published_by = by
        locked.notice_number = notice_number
        locked.notice_date = notice_date
        locked.save(
            update_fields=[
                "published",
                "closed",
                "published_at",
                "published_by",
                "notice_number",
                "notice_date",
            ]
        )
        record(
            action="publicity.published",
            actor=by,
            target=locked,
            data={
                "edition": locked.edition.year,
                "version": locked.version.number,
                "sha256": locked.version.sha256,
                "applications": len(applications),
                "notice_number": notice_number,
                "notice_date": notice_date.isoformat(),
            },
            ip=ip,
        )
        _mail(locked, applications)
        edition = locked.edition
        transaction.on_commit(
            lambda: edition_published.send(sender=Publicity, edition=edition, by=by)
        )
    return locked


def _mail(publicity: Publicity, applications: list[Application]) -> None:
    year = publicity.edition.year
    subject = _("The %(year)s results are published") % {"year": year}
    body = _(
        "The final results of %(year)s are published (commendation notice %(number)s). "
        "Sign in to see your result and download your certificate."
    ) % {"year": year, "number": publicity.notice_number}
    mail_staff(applications, subject, body)


def published_publicity(edition: Edition) -> Publicity | None:
    """The edition's publicity once its results are published (the gate for certificates,
    the applicants' results and the final downloads)."""
    return (
        Publicity.objects.select_related("edition", "version")
        .filter(edition=edition, published=True)
        .first()
    )
