"""The plagiarism archive takes an edition's published materials when the edition is published
(banzu.editions.signals.edition_published; the job is banzu.screening.jobs.ARCHIVE_PUBLISHED).

Runs only in the worker. Every application of the edition in state `published` gives one archive
document: a copy of its current materials file (the Word file, else the PDF: the file whose text
the scan reads, banzu.screening.scan.read_materials), the extracted text, the edition's year, the
enterprise and the team, and a link back to the application. An application already in the
archive is skipped, so taking an edition in again adds nothing; a file already in the archive
(the same SHA-256, say from an imported ZIP) is skipped with its reason. The scan reads the
archive documents' text directly (scan._add_archive): no other index needs updating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.models import Document as StoredDocument
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import filestore
from banzu.editions.models import Edition
from banzu.screening.enums import ArchiveSource
from banzu.screening.models import ArchiveDocument
from banzu.screening.scan import materials_query, read_materials

Progress = Callable[[int, int], None]

ARCHIVED_ACTION = "screening.archive.published"
actions.register(ARCHIVED_ACTION)


class _Skip(Exception):
    """Why an application is not added: a code of banzu.screening.archive_messages.row_message
    and its parameters, worded when the page is read (in the reader's language)."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass
class PublishedSummary:
    edition: int
    applications: int = 0
    added: int = 0
    unreadable: int = 0
    already_archived: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "phase": "done",
            "edition": self.edition,
            "applications": self.applications,
            "added": self.added,
            "unreadable": self.unreadable,
            "already_archived": self.already_archived,
            "skipped": self.skipped,
        }


def published_applications(edition: Edition) -> QuerySet[Application]:
    """The edition's published applications, each marked `archived` if it is in the archive."""
    return (
        Application.objects.filter(edition=edition, state=ApplicationState.PUBLISHED)
        .select_related("team__enterprise")
        .prefetch_related(
            Prefetch("documents", queryset=materials_query(), to_attr="current_materials")
        )
        .annotate(archived=Exists(ArchiveDocument.objects.filter(application=OuterRef("pk"))))
        .order_by("recommendation_number", "pk")
    )


def archive_published(edition: Edition, *, user: User, progress: Progress) -> PublishedSummary:
    """Add the edition's published materials to the archive and journal how many were added."""
    applications = list(published_applications(edition))
    summary = PublishedSummary(edition=edition.year, applications=len(applications))
    progress(0, len(applications))
    for done, application in enumerate(applications, start=1):
        if application.archived:  # type: ignore[attr-defined]
            summary.already_archived += 1
        else:
            try:
                document = _archive(application, edition=edition, user=user)
            except _Skip as skip:
                summary.skipped.append(
                    {
                        "application": application.pk,
                        "team": application.team.name,
                        "code": skip.code,
                        "params": skip.params,
                    }
                )
            else:
                summary.added += 1
                if document.error:
                    summary.unreadable += 1
        progress(done, len(applications))
    record(
        action=ARCHIVED_ACTION,
        actor=user,
        target=edition,
        data={key: value for key, value in summary.as_json().items() if key != "phase"}
        | {"skipped": len(summary.skipped)},
    )
    return summary


def _archive(application: Application, *, edition: Edition, user: User) -> ArchiveDocument:
    source, text, error = read_materials(application)
    if source is None:
        raise _Skip("no_materials")
    if ArchiveDocument.objects.filter(sha256=source.sha256).exists():
        raise _Skip("duplicate")
    stored_name = _copy(source)
    document = ArchiveDocument(
        year=edition.year,
        enterprise_name=application.team.enterprise.name,
        team_name=application.team.name,
        title=application.experience_title,
        original_name=source.original_name,
        stored_name=stored_name,
        size=source.size,
        sha256=source.sha256,
        text=text,
        error=error or "",
        imported_by=user,
        source=ArchiveSource.PUBLICATION,
        application=application,
    )
    try:
        # Also refuses what another run added meanwhile (one document per application and file).
        document.full_clean()
        with transaction.atomic():
            document.save()
    except ValidationError as invalid:
        filestore.discard(filestore.path_for(stored_name))
        raise _Skip("not_valid", details="; ".join(invalid.messages)) from invalid
    except BaseException:
        filestore.discard(filestore.path_for(stored_name))
        raise
    return document


def _copy(source: StoredDocument) -> str:
    """The archive keeps its own copy: the application's files stay the application's."""
    try:
        handle = filestore.path_for(source.stored_name).open("rb")
    except OSError as error:
        raise _Skip("unreadable", details=str(error.strerror or error)) from error
    with handle:
        temp = filestore.write_temp(iter(lambda: handle.read(1 << 20), b""))
    try:
        return filestore.commit_temp(temp)
    finally:
        filestore.discard(temp)
