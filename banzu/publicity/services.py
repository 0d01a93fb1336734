"""Opening the publicity window, filing and deciding objections, and the admin's explicit step
from an upheld objection to a disqualification and a new sealed results version."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.messages import upload_message
from banzu.applications.models import Application
from banzu.applications.services import transition
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import filestore, outbox
from banzu.core.errors import ServiceError
from banzu.editions.models import Edition
from banzu.presentations.scans import check_and_store  # the one check of attached files
from banzu.publicity.models import (
    Objection,
    ObjectionAttempt,
    ObjectionFile,
    ObjectionState,
    ObjectorKind,
    Publicity,
)
from banzu.results import workdays
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from banzu.uploads.validation import UploadRejected

for _name in (
    "publicity.opened",
    "publicity.objection_filed",
    "publicity.objection_decided",
    "publicity.objection_disqualified",
    "publicity.objection_rate_limited",
):
    actions.register(_name)

ATTEMPTS_PER_HOUR = 5
LOOKUPS_PER_HOUR = 20
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
IMAGE_SIGNATURES = {"jpeg": b"\xff\xd8\xff", "png": b"\x89PNG\r\n\x1a\n"}


# --- The window ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    starts_on: date
    working_days: int
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)
    covered_until: date | None = None

    def ends_on(self) -> date:
        """The last day; a refusal with the reason when the calendar does not cover it."""
        try:
            return workdays.add_working_days(
                self.starts_on,
                self.working_days,
                extra_holidays=self.extra_holidays,
                extra_workdays=self.extra_workdays,
                covered_until=self.covered_until,
            )
        except workdays.CalendarNotKnown as unknown:
            raise ServiceError(
                _(
                    "The holiday calendar does not cover %(day)s: working days are known up to "
                    "%(until)s. Enter the announced days off and adjusted working days of that "
                    "period and the day up to which your entry holds."
                )
                % {"day": unknown.day.isoformat(), "until": unknown.known_until.isoformat()},
                code="calendar",
            ) from unknown
        except ValueError as wrong:
            raise ServiceError(str(wrong), code="window") from wrong


def today() -> date:
    """The day in Shanghai (one place, so tests can set it)."""
    return timezone.localdate()


def latest_sealed(edition: Edition) -> ResultsVersion | None:
    return (
        ResultsVersion.objects.filter(edition=edition, state=VersionState.SEALED)
        .order_by("-number")
        .first()
    )


def default_working_days(edition: Edition) -> int:
    return settings_for(edition).publicity_working_days


def open_publicity(
    edition: Edition, window: Window, *, by: User, ip: str | None = None
) -> Publicity:
    ends_on = window.ends_on()
    with transaction.atomic():
        Edition.objects.select_for_update().get(pk=edition.pk)
        if Publicity.objects.filter(edition=edition).exists():
            raise ServiceError(_("The publicity window is already open."), code="open")
        version = latest_sealed(edition)
        if version is None:
            raise ServiceError(
                _("Seal the results before opening the publicity window."), code="unsealed"
            )
        publicity = Publicity.objects.create(
            edition=edition,
            version=version,
            starts_on=window.starts_on,
            working_days=window.working_days,
            ends_on=ends_on,
            extra_holidays=sorted(day.isoformat() for day in window.extra_holidays),
            extra_workdays=sorted(day.isoformat() for day in window.extra_workdays),
            covered_until=window.covered_until,
            opened_by=by,
        )
        record(
            action="publicity.opened",
            actor=by,
            target=publicity,
            data={
                "edition": edition.year,
                "version": version.number,
                "starts_on": window.starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "working_days": window.working_days,
            },
            ip=ip,
        )
        _mail_listed(publicity)
    return publicity


def listed_ids(version: ResultsVersion) -> list[int]:
    return [int(row["application"]) for row in version.payload.get("rows", [])] + [
        int(row["application"]) for row in version.payload.get("apart", []) if row.get("tier")
    ]


def _mail_listed(publicity: Publicity) -> None:
    """Tell the applicants and recommenders of the listed applications (queued on commit)."""
    applications = Application.objects.filter(pk__in=listed_ids(publicity.version)).select_related(
        "team"
    )
    values = {
        "year": publicity.edition.year,
        "starts": publicity.starts_on.isoformat(),
        "ends": publicity.ends_on.isoformat(),
    }
    subject = _("Publicity of the %(year)s results: %(starts)s to %(ends)s") % values
    body = (
        _(
            "The proposed award list of %(year)s is published for public scrutiny from "
            "%(starts)s to %(ends)s. Objections may be filed in writing during this period on "
            "the publicity page."
        )
        % values
    )
    mail_staff(applications, subject, body)


def mail_staff(applications: Iterable[Application], subject: str, body: str) -> None:
    """Queue one mail to the staff of the applications' enterprises and one to the staff of
    their recommenders (the applications' teams selected)."""
    found = list(applications)
    enterprises = {a.team.enterprise_id for a in found}
    recommenders = {a.recommender_id for a in found}
    recipients = User.objects.filter(is_active=True, enterprise_id__in=enterprises).values_list(
        "email", flat=True
    )
    outbox.queue(list(recipients), subject, body)
    staff = User.objects.filter(is_active=True, recommender_id__in=recommenders).values_list(
        "email", flat=True
    )
    outbox.queue(list(staff), subject, body)


def visible_publicity(year: int, on: date | None = None) -> Publicity | None:
    """The edition's publicity once its window has started (before, it does not exist)."""
    day = on or today()
    publicity = (
        Publicity.objects.select_related("edition", "version").filter(edition__year=year).first()
    )
    if publicity is None or not publicity.has_started(day):
        return None
    return publicity


# --- Objections ----------------------------------------------------------------------------


def hash_ip(ip: str | None) -> str:
    if not ip:
        return ""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def rate_limited(
    ip: str | None, now: datetime | None = None, *, kind: str = "objection", limit: int = 0
) -> bool:
    """Counts this attempt; True once the address has made `limit` (ATTEMPTS_PER_HOUR for the
    form, LOOKUPS_PER_HOUR for the status look-up) in the last hour."""
    now = now or timezone.now()
    limit = limit or (ATTEMPTS_PER_HOUR if kind == "objection" else LOOKUPS_PER_HOUR)
    key = hash_ip(f"{kind}:{ip or ''}")
    recent = ObjectionAttempt.objects.filter(ip_hash=key, at__gte=now - timedelta(hours=1))
    if recent.count() >= limit:
        record(action="publicity.objection_rate_limited", actor=None, data={"kind": kind}, ip=ip)
        return True
    ObjectionAttempt.objects.create(ip_hash=key)
    ObjectionAttempt.objects.filter(at__lt=now - timedelta(days=1)).delete()
    return False


@dataclass(frozen=True)
class ObjectionData:
    objector_kind: str
    real_name: str
    organisation: str
    phone: str
    email: str
    application_id: int
    grounds: str
    letter: UploadedFile | None = None
    evidence: tuple[UploadedFile, ...] = ()


def _store(
    upload: UploadedFile, field_name: str, uploader: str | None = None
) -> tuple[str, str, str, int]:
    """Check one file (PDF, JPEG or PNG) and store it: (stored name, sha256, kind, size)."""
    name = upload.name or "file"
    unreadable = _("%(name)s could not be opened as a PDF, JPEG or PNG file.") % {"name": name}
    refusal = {
        "extension": _("Attach PDF, JPEG or PNG files only."),
        "too_large": _("A file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // 2**20},
        "empty": _("A file is empty."),
        "magic": unreadable,
        "parse": unreadable,
    }
    try:
        stored = check_and_store(upload, max_bytes=MAX_FILE_BYTES, uploader=uploader)
    except UploadRejected as rejected:
        # Hostile or overloaded: the one wording of every upload (banzu.applications.messages).
        message = refusal.get(rejected.code) or upload_message(rejected.code, MAX_FILE_BYTES)
        raise ServiceError(message, code="file", field_errors={field_name: message}) from rejected
    return stored.stored_name, stored.sha256, stored.kind, stored.size


def file_objection(
    publicity: Publicity, data: ObjectionData, *, ip: str | None = None, on: date | None = None
) -> Objection:
    if not publicity.is_open_on(on or today()):
        raise ServiceError(
            _(
                "Objections are accepted only during the publicity window, from %(starts)s to "
                "%(ends)s. This objection cannot be accepted."
            )
            % {"starts": publicity.starts_on.isoformat(), "ends": publicity.ends_on.isoformat()},
            code="closed",
        )
    if not data.real_name.strip():
        raise ServiceError(
            _("Anonymous objections are not accepted: give your real name."),
            code="anonymous",
            field_errors={"real_name": _("Give your real name.")},
        )
    if data.objector_kind == ObjectorKind.ORGANISATION:
        if not data.organisation.strip():
            raise ServiceError(
                _("Give the name of the organisation."),
                code="organisation",
                field_errors={"organisation": _("Give the name of the organisation.")},
            )
        if data.letter is None:
            raise ServiceError(
                _("An organisation attaches its objection letter bearing its stamp."),
                code="letter",
                field_errors={"letter": _("Attach the stamped letter.")},
            )
    if data.application_id not in listed_ids(publicity.version):
        raise ServiceError(
            _("Choose a team of the published list."),
            code="application",
            field_errors={"application": _("Choose a team of the published list.")},
        )
    if len(data.evidence) > MAX_FILES:
        raise ServiceError(
            _("Attach at most %(n)d evidence files.") % {"n": MAX_FILES}, code="files"
        )
    uploads = ([("letter", data.letter)] if data.letter else []) + [
        ("evidence", upload) for upload in data.evidence
    ]
    stored: list[tuple[str, str, tuple[str, str, str, int]]] = []
    # One visitor's files are checked one at a time across the web processes (by address).
    uploader = f"ip-{hash_ip(ip)[:16]}" if ip else None
    try:
        for role, upload in uploads:
            stored.append((role, upload.name or "file", _store(upload, role, uploader)))
        with transaction.atomic():
            objection = Objection.objects.create(
                publicity=publicity,
                objector_kind=data.objector_kind,
                real_name=data.real_name.strip(),
                organisation=data.organisation.strip(),
                phone=data.phone.strip(),
                email=data.email.strip(),
                application_id=data.application_id,
                grounds=data.grounds.strip(),
                ip_hash=hash_ip(ip),
            )
            for role, name, (stored_name, sha256, kind, size) in stored:
                ObjectionFile.objects.create(
                    objection=objection,
                    role=role,
                    original_name=name[:200],
                    stored_name=stored_name,
                    sha256=sha256,
                    kind=kind,
                    size=size,
                )
            # The journal names no objector: their identity stays with the admin's page.
            record(
                action="publicity.objection_filed",
                actor=None,
                target=objection,
                data={"edition": publicity.edition.year, "files": len(stored)},
                ip=None,
            )
    except BaseException:
        for _role, _name, (stored_name, *_rest) in stored:
            filestore.discard(filestore.path_for(stored_name))
        raise
    outbox.queue(
        [objection.email],
        _("Your objection has been received: %(receipt)s") % {"receipt": objection.receipt},
        _(
            "Your objection to the %(year)s publicity list has been received.\n\n"
            "Receipt number: %(receipt)s\n\nKeep this number: with it and this e-mail address "
            "you can see the status of your objection on the publicity page."
        )
        % {"year": publicity.edition.year, "receipt": objection.receipt},
    )
    return objection


def lookup(receipt: str, email: str) -> Objection | None:
    """The objection with this receipt, if the e-mail matches (compared without case)."""
    objection = Objection.objects.filter(receipt=receipt.strip().upper()).first()
    if objection is None or objection.email.strip().lower() != email.strip().lower():
        return None
    return objection


DECISIONS = (ObjectionState.UPHELD, ObjectionState.NOT_UPHELD, ObjectionState.OUTSIDE_SCOPE)


def save_notes(objection: Objection, notes: str) -> None:
    objection.admin_notes = notes
    objection.save(update_fields=["admin_notes"])


def decide(
    objection: Objection, *, state: str, reply: str, by: User, ip: str | None = None
) -> Objection:
    if state not in DECISIONS:
        raise ServiceError(_("Choose a decision."), code="state")
    if not reply.strip():
        raise ServiceError(
            _("Write the reply to the objector."),
            code="reply",
            field_errors={"reply": _("Write the reply to the objector.")},
        )
    with transaction.atomic():
        locked = Objection.objects.select_for_update().get(pk=objection.pk)
        if locked.state != ObjectionState.RECEIVED:
            raise ServiceError(_("This objection has already been decided."), code="decided")
        locked.state = state
        locked.reply = reply.strip()
        locked.decided_at = timezone.now()
        locked.decided_by = by
        locked.save(update_fields=["state", "reply", "decided_at", "decided_by"])
        record(
            action="publicity.objection_decided",
            actor=by,
            target=locked,
            data={"state": state},
            ip=ip,
        )
        outbox.queue(
            [locked.email],
            _("Decision on your objection %(receipt)s") % {"receipt": locked.receipt},
            _("Decision: %(state)s\n\n%(reply)s")
            % {"state": locked.get_state_display(), "reply": locked.reply},
        )
    return locked


def disqualify(
    objection: Objection, *, reason: str, by: User, ip: str | None = None
) -> ResultsVersion:
    """The admin's explicit step after upholding: disqualify the team through the one transition
    function, then seal a new results version with the reason; the publicity shows it."""
    if objection.state != ObjectionState.UPHELD:
        raise ServiceError(_("Only an upheld objection leads to a disqualification."), code="state")
    if objection.disqualified_version_id is not None:
        raise ServiceError(_("The team has already been disqualified."), code="done")
    if not reason.strip():
        raise ServiceError(
            _("Give the reason for the disqualification."),
            code="reason",
            field_errors={"reason": _("Give the reason for the disqualification.")},
        )
    with transaction.atomic():
        transition(
            objection.application,
            to=ApplicationState.DISQUALIFIED,
            actor=by,
            reason=reason.strip(),
            ip=ip,
        )
        publicity = objection.publicity
        version = seal(publicity.edition, by=by, reason=reason.strip(), ip=ip)
        publicity.version = version
        publicity.save(update_fields=["version"])
        objection.disqualified_version = version
        objection.save(update_fields=["disqualified_version"])
        record(
            action="publicity.objection_disqualified",
            actor=by,
            target=objection,
            data={"application": objection.application_id, "version": version.number},
            ip=ip,
        )
    return version
