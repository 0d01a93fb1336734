"""Reads for the application pages. Scoping happens in permissions.visible_applications."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from banzu.accounts.enums import Ownership
from banzu.accounts.models import Enterprise, User
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.messages import problem_message
from banzu.applications.models import Application, Document
from banzu.applications.permissions import visible_applications
from banzu.applications.rules import REQUIRED_DOCUMENTS
from banzu.applications.services import submission_problems
from banzu.applications.snapshot import SNAPSHOT_FIELDS
from banzu.audit.selectors import entries_for
from banzu.core.params import int_param

TIMELINE_ACTIONS = (
    "application.start",
    "application.save_draft",
    "application.submit",
    "application.withdraw",
    "application.reopen",
    "application.return",
    "application.decline",
    "application.recommend",
    "application.pass_screening",
    "application.eliminate",
    "application.disqualify",
    "application.publish",
    "document.upload",
)


def application_list(
    user: User, *, state: str = "", recommender: str = "", query: str = ""
) -> QuerySet[Application]:
    qs = visible_applications(user)
    if state in ApplicationState.values:
        qs = qs.filter(state=state)
    if (recommender_pk := int_param(recommender)) is not None:
        qs = qs.filter(recommender_id=recommender_pk)
    if query:
        qs = qs.filter(team__name__icontains=query) | qs.filter(
            team__enterprise__name__icontains=query
        )
    return qs.order_by("recommender__sort_order", "-updated_at")


def state_counts(user: User) -> dict[str, int]:
    rows = visible_applications(user).values("state").annotate(n=Count("id")).order_by()
    return {row["state"]: row["n"] for row in rows}


def current_documents(application: Application) -> list[Document]:
    return list(
        application.documents.filter(superseded_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("kind")
    )


@dataclass(frozen=True)
class DocumentSlot:
    kind: DocumentKind
    current: Document | None
    previous_count: int


def document_slots(application: Application) -> list[DocumentSlot]:
    documents = list(application.documents.select_related("uploaded_by"))
    slots = []
    for kind in REQUIRED_DOCUMENTS:
        of_kind = [d for d in documents if d.kind == kind]
        current = next((d for d in of_kind if d.superseded_at is None), None)
        slots.append(
            DocumentSlot(DocumentKind(kind), current, len(of_kind) - (1 if current else 0))
        )
    return slots


def missing_items(application: Application) -> list[str]:
    return [problem_message(p) for p in submission_problems(application)]


@dataclass(frozen=True)
class TimelineItem:
    created_at: dt.datetime
    action: str
    actor_name: str
    reason: str
    kind_label: str
    changes: list[FieldChange]


def timeline(application: Application) -> list[TimelineItem]:
    """What happened to the application, newest first, with people's names and file kinds, and
    the changes to its enterprise's details since it was started (journalled on the enterprise)."""
    own = entries_for(application).filter(action__in=TIMELINE_ACTIONS)
    enterprise = entries_for(application.team.enterprise).filter(
        action="enterprise.update", created_at__gte=application.created_at
    )
    entries = list((own | enterprise).order_by("-seq")[:100])
    actor_ids = {e.actor_id for e in entries if e.actor_id is not None}
    names = dict(User.objects.filter(pk__in=actor_ids).values_list("pk", "full_name"))
    kinds = dict(DocumentKind.choices)
    return [
        TimelineItem(
            created_at=e.created_at,
            action=e.action,
            actor_name=names.get(e.actor_id or 0) or e.actor_username,
            reason=str(e.data.get("reason", "")),
            kind_label=str(kinds.get(e.data.get("kind", ""), "")),
            changes=_enterprise_changes(e.data) if e.action == "enterprise.update" else [],
        )
        for e in entries
    ]


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


def _shown(name: str, value: object) -> str:
    if name == "ownership" and isinstance(value, str) and value in Ownership.values:
        return str(Ownership(value).label)
    return str(value or "")


def _enterprise_changes(data: dict[str, Any]) -> list[FieldChange]:
    changes = data.get("changes") or {}
    found = []
    for name in SNAPSHOT_FIELDS:
        if name in changes:
            old, new = (_shown(name, value) for value in changes[name])
            label = getattr(Enterprise._meta.get_field(name), "verbose_name", name)
            found.append(FieldChange(str(label), old, new))
    return found


@dataclass(frozen=True)
class TimeLeft:
    closed: bool
    days: int
    hours: int
    minutes: int


def time_left(deadline: dt.datetime, now: dt.datetime | None = None) -> TimeLeft:
    remaining = deadline - (now or timezone.now())
    if remaining.total_seconds() <= 0:
        return TimeLeft(True, 0, 0, 0)
    minutes = int(remaining.total_seconds() // 60)
    return TimeLeft(False, minutes // (24 * 60), (minutes // 60) % 24, minutes % 60)
