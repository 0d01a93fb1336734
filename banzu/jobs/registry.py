"""Declaring a job kind: its name, label, the function that runs it, and who may see it.

A stage declares its kinds at import of its `jobs` module (imported by its AppConfig.ready), so
the worker knows every kind once Django is set up; banzu.jobs never imports a stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from banzu.audit import actions
from banzu.core.access import Someone

if TYPE_CHECKING:
    from banzu.jobs.files import StoredFile
    from banzu.jobs.models import Job


@dataclass(frozen=True)
class Scope:
    """What a job is about: a type and an id (a recommender, an edition, an application), and
    the edition's id when the job belongs to one edition of a longer-lived object."""

    type: str
    id: int
    edition_pk: int | None = None

    @property
    def key(self) -> str:
        base = f"{self.type}:{self.id}"
        if self.edition_pk is None or self.type == "edition":
            return base
        return f"{base}/edition:{self.edition_pk}"


class Progress(Protocol):
    def __call__(self, done: int, total: int, summary: dict[str, Any] | None = None) -> None: ...


@dataclass
class Outcome:
    """What a finished job leaves: its summary and, for a job that makes one, its file."""

    summary: dict[str, Any] = field(default_factory=dict)
    file: StoredFile | None = None


Run = Callable[["Job", Progress], "Outcome | dict[str, Any] | None"]
Visible = Callable[["Someone", "Job"], bool]
Text = str | Promise

# The words of the status partial, by the job's state; a kind replaces what it needs.
DEFAULT_TEXTS: dict[str, Text] = {
    "empty": _("Nothing has run yet."),
    "queued": _("Waiting for the worker…"),
    "running": _("Running…"),
    "progress": _("%(done)s of %(total)s steps"),
    "done": _("Finished."),
    "failed": _("The job failed."),
    "failed_hint": "",
}


def _everyone(user: Someone, job: Job) -> bool:
    return True


@dataclass(frozen=True)
class JobKind:
    name: str
    label: Text
    run: Run
    # Who may see a job of this kind (its status, its file); everyone else gets 404.
    can_see: Visible
    # Who, of those, reads the failure's cause (it may name a server path).
    sees_error: Visible = _everyone
    # At most one queued or running job per scope: a second start returns the first.
    exclusive: bool = True
    # The journal entry of the start, in the kind's own vocabulary.
    start_action: str = "job.queue"
    # Failures the user can fix are shown by their message alone; others with their type.
    plain_errors: tuple[type[BaseException], ...] = ()
    # The job's stored file is its input: deleted once the job ends, however it ends.
    consumes_file: bool = False
    # The job's file is derived data: a newer finished job's file replaces the older ones.
    keep_latest_file_only: bool = False
    # Running the kind's function again on the same job is safe (it is idempotent, or carries on
    # from what it finished): a job whose worker stopped is queued again, up to
    # banzu.jobs.services.MAX_ATTEMPTS runs, instead of expired.
    resumable: bool = False
    texts: Mapping[str, Text] = field(default_factory=dict)
    # Included by the status partial for a finished job (with `job` in its context).
    result_template: str = ""
    element_id: str = ""

    def text(self, key: str) -> Text:
        return self.texts.get(key, DEFAULT_TEXTS.get(key, ""))

    @property
    def dom_id(self) -> str:
        return self.element_id or "job-status-" + self.name.replace(".", "-")


_kinds: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    known = _kinds.get(kind.name)
    if known is not None and known != kind:
        raise ValueError(f"Job kind {kind.name!r} is declared twice.")
    _kinds[kind.name] = kind
    actions.register(kind.start_action)
    return kind


def get(name: str) -> JobKind:
    try:
        return _kinds[name]
    except KeyError:
        raise LookupError(f"No job kind {name!r} is declared.") from None


def find(name: str) -> JobKind | None:
    return _kinds.get(name)


def kinds() -> list[JobKind]:
    return list(_kinds.values())
