"""Issuing certificates after the final publication, revoking one, and verifying a token.

Certificates are issued once an edition's results are published (banzu.publicity.publication),
and only from the version published: every awarded team of it gets one certificate, its tier,
or for a team without one the room award (最佳发布奖) or the non-presenters' award. The
commendation notice's number and date recorded at publication are printed on every certificate.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import record
from banzu.certificates.models import (
    Certificate,
    CertificateState,
    VerificationLog,
    VerificationOutcome,
)
from banzu.certificates.workflow import CERTIFICATE
from banzu.core.access import Person, is_admin
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.documents.model import ASSOCIATION
from banzu.publicity.publication import published_publicity
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion

actions.register("certificates.issued")

SERIAL_PREFIX = "ZJQC"


@dataclass(frozen=True)
class Award:
    application_id: int
    award: str


def awards(version: ResultsVersion) -> list[Award]:
    """Every awarded team of the version, in rank order, then the teams listed apart."""
    payload = version.payload
    room_award = payload.get("settings", {}).get("room_award") or ""
    found: list[Award] = []
    for row in payload.get("rows", []):
        award = row.get("tier") or (room_award if row.get("room_award") else "")
        if award:
            found.append(Award(row["application"], award))
    for row in payload.get("apart", []):
        if row.get("tier"):
            found.append(Award(row["application"], row["tier"]))
    return found


def serial(year: int, number: int) -> str:
    return f"{SERIAL_PREFIX}-{year}-{number:03d}"


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("certificates:verify", args=[certificate.token])


def issue(version: ResultsVersion, *, by: User, ip: str | None = None) -> list[Certificate]:
    """Issue a certificate to every awarded team of the published `version` that has none from
    it yet; return the version's certificates. The printed fields are frozen now: the notice's
    number and date are those of the publication."""
    publicity = published_publicity(version.edition)
    if publicity is None:
        raise ServiceError(
            _("Certificates are issued after the final publication of the results."),
            code="unpublished",
        )
    if publicity.version_id != version.pk or version.state != VersionState.SEALED:
        raise ServiceError(
            _("Certificates are issued from the published results version (version %(n)s).")
            % {"n": publicity.version.number},
            code="version",
        )
    notice_number = publicity.notice_number
    issued_on = publicity.notice_date or timezone.localdate()
    edition = version.edition
    with transaction.atomic():
        type(edition).objects.select_for_update().get(pk=edition.pk)
        have = set(
            Certificate.objects.filter(version=version).values_list("application_id", flat=True)
        )
        todo = [award for award in awards(version) if award.application_id not in have]
        applications = Application.objects.select_related("team__enterprise").in_bulk(
            [award.application_id for award in todo]
        )
        number = Certificate.objects.filter(edition=edition).count()
        created = []
        for award in todo:
            application = applications[award.application_id]
            number += 1
            certificate = Certificate(
                edition=edition,
                version=version,
                application=application,
                serial=serial(edition.year, number),
                token=secrets.token_urlsafe(24),
                fields={
                    "association": ASSOCIATION,
                    "edition": edition.title,
                    "team": application.team.name,
                    "enterprise": application.team.enterprise.name,
                    "award": award.award,
                    "notice_number": notice_number,
                    "date": issued_on.isoformat(),
                },
                issued_by=by,
            )
            certificate.save()
            created.append(certificate)
        if created:
            record(
                action="certificates.issued",
                actor=by,
                target=version,
                data={
                    "edition": edition.year,
                    "version": version.number,
                    "count": len(created),
                    "serials": [c.serial for c in created],
                    "notice_number": notice_number,
                },
                ip=ip,
            )
    return list(Certificate.objects.filter(version=version).order_by("serial"))


def revoke(
    certificate: Certificate, *, by: Person, reason: str, ip: str | None = None
) -> Certificate:
    """Revoke a valid certificate; the reason is journalled and kept for the admin alone."""

    def update(locked: Certificate, move: Move) -> None:
        locked.revoked_at = move.now
        locked.revoked_by_id = by.pk
        locked.reason = move.reason

    return apply(
        CERTIFICATE,
        certificate,
        target=CertificateState.REVOKED,
        actor=by,
        actors=lambda _locked: ["admin"] if is_admin(by) else [],
        reason=reason,
        ip=ip,
        update=update,
        data={"serial": certificate.serial},
    )


def hash_ip(ip: str | None) -> str:
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def verify(token: str, *, ip: str | None = None) -> Certificate | None:
    """The certificate of `token`, or None for a forged one; every look is logged."""
    certificate = (
        Certificate.objects.filter(token=token).select_related("edition").first()
        if len(token) <= 64
        else None
    )
    if certificate is None:
        outcome = VerificationOutcome.UNKNOWN
    elif certificate.is_valid:
        outcome = VerificationOutcome.VALID
    else:
        outcome = VerificationOutcome.REVOKED
    VerificationLog.objects.create(certificate=certificate, ip_hash=hash_ip(ip), outcome=outcome)
    return certificate


def printed(certificate: Certificate) -> dict[str, Any]:
    """The printed fields, the date as a date."""
    fields = dict(certificate.fields)
    fields["date"] = dt.date.fromisoformat(fields["date"])
    return fields
