"""Writes to applications: every change of an application goes through one of these functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import Recommender, User
from banzu.applications import notices, snapshot
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.messages import (
    duplicate_team_message,
    refusal_message,
    team_name_message,
    upload_message,
)
from banzu.applications.models import Application, Document, Honour, Team
from banzu.applications.permissions import actors_for
from banzu.applications.rules import Problem, problems, team_name_parent_part
from banzu.applications.workflow import APPLICATION, Actor
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import filestore
from banzu.core.errors import ServiceError
from banzu.core.workflow import Move, apply
from banzu.editions.models import Edition
from banzu.uploads import slots
from banzu.uploads.validation import (
    FileKind,
    Limits,
    UploadRejected,
    ValidatedFile,
    validate_upload,
)

actions.register(
    "application.rename_team",
    "application.save_draft",
    "application.start",
    "document.download",
    "document.rejected",
    "document.upload",
)

EXPECTED_FILE_KINDS: dict[str, set[FileKind]] = {
    DocumentKind.MATERIALS_DOCX: {FileKind.DOCX},
    DocumentKind.MATERIALS_PDF: {FileKind.PDF},
    DocumentKind.PRESENTATION: {FileKind.PPTX},
    DocumentKind.SIGNED_FORM: {FileKind.PDF},
}


class StaleEdit(ServiceError):
    pass


def deadline_open(edition: Edition, now: dt.datetime | None = None) -> bool:
    return edition.is_open(now or timezone.now())


def _closed(edition: Edition, now: dt.datetime | None, message: str) -> ServiceError:
    """The refusal of a change to a draft outside the edition's window (`message` names the
    deadline as %(deadline)s). The window is the edition's own: the admin extends it by moving
    the edition's deadline."""
    if (now or timezone.now()) < edition.registration_opens_at:
        return ServiceError(refusal_message("deadline"), code="deadline")
    deadline = timezone.localtime(edition.recommendation_deadline).strftime("%Y-%m-%d %H:%M")
    return ServiceError(message % {"deadline": deadline}, code="deadline")


# --- The one transition function ------------------------------------------------------------


def transition(
    application: Application,
    *,
    to: ApplicationState,
    actor: User,
    reason: str = "",
    ip: str | None = None,
    now: dt.datetime | None = None,
    extra: dict[str, Any] | None = None,
    acting_as: Actor | None = None,
) -> Application:
    """Move an application to a new state, if this actor may, now. Writes the audit entry.

    `acting_as` is for a move a later stage makes on the association's rule when the user who
    caused it holds no such role (a room secretary closing a presentation room moves its teams
    to `presented`): the rule is checked for that actor, and the journal names the user and
    records `acting_as`. The calling service decides who may cause the move."""

    def update(locked: Application, move: Move) -> None:
        locked.state_changed_at = move.now
        locked.state_reason = move.reason
        if to == ApplicationState.SUBMITTED:
            locked.submitted_at = move.now
            # What was submitted stays as submitted: Attachment 1 prints these details from now.
            locked.submitted_enterprise = snapshot.take(locked.team.enterprise)
            move.data["enterprise"] = locked.submitted_enterprise
        for key, value in (extra or {}).items():
            setattr(locked, key, value)
        locked.version = F("version") + 1

    def after(locked: Application, move: Move) -> None:
        locked.refresh_from_db()
        notices.application_changed(locked, move.rule.action, move.reason)

    return apply(
        APPLICATION,
        application,
        target=to,
        actor=actor,
        actors=lambda locked: actors_for(actor, locked) | ({acting_as} if acting_as else set()),
        reason=reason,
        ip=ip,
        now=now,
        deadline_open=lambda locked, moment: deadline_open(locked.edition, moment),
        related=("edition", "team"),
        update=update,
        after=after,
        data={**(extra or {}), **({"acting_as": str(acting_as)} if acting_as else {})},
        refusal_message=lambda code, _locked: refusal_message(code),
    )


# --- Applicant actions ----------------------------------------------------------------------


def start_application(
    *,
    user: User,
    edition: Edition,
    team_name: str,
    recommender: Recommender,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    enterprise = user.enterprise
    if enterprise is None:
        raise ServiceError(_("Register your enterprise first."), code="no_enterprise")
    if not deadline_open(edition, now):
        raise ServiceError(refusal_message("deadline"), code="deadline")
    team_name = " ".join(team_name.split())
    if part := team_name_parent_part(team_name, enterprise.name):
        raise ServiceError(team_name_message(part), code="team_name")
    with transaction.atomic():
        team, _created = Team.objects.get_or_create(enterprise=enterprise, name=team_name)
        if Application.objects.filter(edition=edition, team=team).exists():
            raise ServiceError(duplicate_team_message(), code="duplicate")
        application = Application(
            edition=edition, team=team, recommender=recommender, created_by=user
        )
        application.full_clean()
        application.save()
        record(
            action="application.start",
            actor=user,
            target=application,
            data={"team": team.name, "recommender": recommender.name},
            ip=ip,
        )
    return application


@dataclass(frozen=True)
class HonourData:
    year: int
    title: str
    level: str
    recipient: str
    recipient_name: str
    awarded_by: str


def save_draft(
    *,
    application: Application,
    user: User,
    fields: dict[str, Any],
    honours: list[HonourData] | None,
    expected_version: int,
    team_name: str | None = None,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    """Save the form as it stands (the fields given: the view leaves out the ones that need
    correcting, so nothing valid is lost). Completeness is only checked at submission.
    `team_name`, when given and new, corrects the team's name."""
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state != ApplicationState.DRAFT:
            raise ServiceError(
                _("This application has been submitted and can no longer be changed."),
                code="read_only",
            )
        if not deadline_open(locked.edition, now):
            # The view shows the form again with what was typed, so nothing is lost.
            raise _closed(
                locked.edition,
                now,
                _(
                    "The deadline (%(deadline)s, Beijing time) has passed: the draft can no "
                    "longer be changed and nothing was saved. What you typed is still in the "
                    "form below: copy it if you need it."
                ),
            )
        if locked.version != expected_version:
            raise StaleEdit(
                _(
                    "Someone else saved this application while you were editing. "
                    "Your changes were not saved: copy them, reload the page and apply them again."
                ),
                code="stale",
            )
        changed = sorted(k for k, v in fields.items() if getattr(locked, k) != v)
        for key, value in fields.items():
            setattr(locked, key, value)
        if team_name is not None and _rename_team(locked, team_name, user=user, ip=ip):
            changed = sorted([*changed, "team_name"])
        locked.full_clean(exclude=["edition", "team", "recommender", "created_by"])
        locked.version = expected_version + 1
        locked.save()
        if honours is not None:
            locked.honours.all().delete()
            Honour.objects.bulk_create(
                Honour(application=locked, **honour.__dict__) for honour in honours
            )
        record(
            action="application.save_draft",
            actor=user,
            target=locked,
            data={
                "fields": changed,
                "honours": len(honours) if honours is not None else None,
            },
            ip=ip,
        )
    return locked


def _rename_team(application: Application, name: str, *, user: User, ip: str | None) -> bool:
    """Correct the team name of a draft (returned ones included). The team row is renamed when
    this application is its only one; otherwise the application moves to a team of that name,
    so an earlier edition keeps the name it was entered under. True when the name changed."""
    name = " ".join(name.split())
    old = application.team
    old_name = old.name
    if name == old_name:
        return False
    enterprise = old.enterprise
    if part := team_name_parent_part(name, enterprise.name):
        raise ServiceError(team_name_message(part), code="team_name")
    existing = Team.objects.filter(enterprise=enterprise, name=name).first()
    if existing is not None:
        if existing.applications.filter(edition=application.edition).exists():
            raise ServiceError(duplicate_team_message(), code="duplicate")
        application.team = existing
    elif old.applications.exclude(pk=application.pk).exists():
        application.team = Team.objects.create(enterprise=enterprise, name=name)
    else:
        old.name = name
        old.full_clean()
        old.save(update_fields=["name"])
    record(
        action="application.rename_team",
        actor=user,
        target=application,
        data={"old": old_name, "new": name},
        ip=ip,
    )
    return True


def submission_problems(application: Application) -> list[Problem]:
    kinds = application.documents.filter(superseded_at__isnull=True).values_list("kind", flat=True)
    return problems(application, application.team.enterprise, kinds)


def submit_application(
    *,
    application: Application,
    user: User,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    found = submission_problems(application)
    if found:
        raise ServiceError(
            _("The application is not complete yet."), code="incomplete", problems=found
        )
    return transition(application, to=ApplicationState.SUBMITTED, actor=user, ip=ip, now=now)


def withdraw_application(
    *,
    application: Application,
    user: User,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    return transition(application, to=ApplicationState.WITHDRAWN, actor=user, ip=ip, now=now)


def reopen_application(
    *,
    application: Application,
    user: User,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Application:
    return transition(application, to=ApplicationState.DRAFT, actor=user, ip=ip, now=now)


# --- Files ----------------------------------------------------------------------------------


def upload_limits(kind: str) -> Limits:
    file_kind = next(iter(EXPECTED_FILE_KINDS[kind]))
    return Limits(max_bytes=settings.BANZU_UPLOAD_LIMITS_MB[file_kind.value] * 1024 * 1024)


def store_checked_upload(
    upload: UploadedFile,
    *,
    expected: set[FileKind],
    limits: Limits,
    user: User,
    target: Any,
    kind: str,
    rejected_action: str,
    ip: str | None = None,
) -> tuple[ValidatedFile, str]:
    """The one way a user's file is checked and put into the store: too large is refused before
    it is written, then the checks (one at a time per user, across every web process), then the
    file moves into the store under a new name, returned with what the checks found. A refused
    file is journalled as `rejected_action` on `target` and raised as the user's message; nothing
    of it is kept. The caller attaches the stored name in its own transaction and discards the
    file if that fails."""
    original_name = upload.name or "upload"
    if upload.size is not None and upload.size > limits.max_bytes:
        raise ServiceError(upload_message("too_large", limits.max_bytes), code="too_large")
    temp = filestore.write_temp(upload.chunks())
    try:
        try:
            checked = validate_upload(
                temp,
                original_name,
                expected=expected,
                limits=limits,
                uploader_lock=slots.uploader_lock(filestore.temp_dir(), f"user-{user.pk}"),
            )
        except UploadRejected as rejected:
            record(
                action=rejected_action,
                actor=user,
                target=target,
                data={"kind": kind, "name": original_name[:200], "code": rejected.code},
                ip=ip,
            )
            raise ServiceError(
                upload_message(rejected.code, limits.max_bytes), code=rejected.code
            ) from rejected
        return checked, filestore.commit_temp(temp)
    finally:
        filestore.discard(temp)


def upload_document(
    *,
    application: Application,
    user: User,
    kind: str,
    upload: UploadedFile,
    ip: str | None = None,
    now: dt.datetime | None = None,
) -> Document:
    """Validate and store one file; an earlier file of the same kind is kept but superseded.

    The deadline is judged when the file has arrived, before it is checked: the seconds the
    check takes (or waits for a free checker) do not count against the applicant."""
    if application.state != ApplicationState.DRAFT:
        raise ServiceError(_("Files can only be changed before submission."), code="read_only")
    if not deadline_open(application.edition, now):
        raise _closed(
            application.edition,
            now,
            _(
                "The deadline (%(deadline)s, Beijing time) has passed: files can no longer be "
                "uploaded or replaced. This file was not stored."
            ),
        )
    checked, stored_name = store_checked_upload(
        upload,
        expected=EXPECTED_FILE_KINDS[kind],
        limits=upload_limits(kind),
        user=user,
        target=application,
        kind=kind,
        rejected_action="document.rejected",
        ip=ip,
    )
    try:
        with transaction.atomic():
            # Validation takes seconds: the application may have been submitted meanwhile. Look
            # again under the row lock that submission also takes, before the file attaches.
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.state != ApplicationState.DRAFT:
                raise ServiceError(
                    _("Files can only be changed before submission."), code="read_only"
                )
            now = timezone.now()
            Document.objects.filter(
                application=application, kind=kind, superseded_at__isnull=True
            ).update(superseded_at=now)
            document = Document(
                application=application,
                kind=kind,
                original_name=checked.safe_name,
                stored_name=stored_name,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=user,
            )
            # The fields' own checks; the database enforces the rest (the foreign keys, the
            # unique stored name, one current file per slot), so they cost no query here while
            # the write lock is held.
            document.full_clean(
                exclude=["application", "uploaded_by"],
                validate_unique=False,
                validate_constraints=False,
            )
            document.save()
            record(
                action="document.upload",
                actor=user,
                target=application,
                data={"kind": kind, "document": document.pk, "sha256": checked.sha256},
                ip=ip,
            )
            if kind in (DocumentKind.MATERIALS_DOCX, DocumentKind.MATERIALS_PDF):
                _rescan_if_screened(application)
    except Exception:
        filestore.discard(filestore.path_for(stored_name))
        raise
    return document


def _rescan_if_screened(application: Application) -> None:
    """Announce the new materials: the screening, a later stage, checks the application again
    once the upload is committed if it is already in the plagiarism report."""
    from banzu.core import hooks

    hooks.materials_stored.send(sender=Application, application=application)


def open_document(*, document: Document, user: User, ip: str | None = None) -> Path:
    record(
        action="document.download",
        actor=user,
        target=document.application,
        data={"document": document.pk, "kind": document.kind},
        ip=ip,
    )
    # A stored file whose bytes changed is refused (DamagedFile), never served as the upload.
    return filestore.verified_path(document.stored_name, document.sha256)
