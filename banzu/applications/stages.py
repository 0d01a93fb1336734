"""The stages a submitted application goes through, with their dates, for the applicant's page:
what has happened (from the workflow journal) and what comes next (from the edition's dates)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.applications.enums import ApplicationState as S
from banzu.applications.models import Application
from banzu.audit.selectors import entries_for

# Each stage and the journal actions that complete it (the last one counts).
STAGES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("submitted", ("application.submit",)),
    ("recommended", ("application.recommend",)),
    ("screened", ("application.pass_screening",)),
    ("review", ("application.finish_review",)),
    ("presentation", ("application.record_presentation", "application.rank")),
    ("results", ("application.publish",)),
)
# Where the way ends before the results, and the action that ended it.
STOPPED = {
    S.WITHDRAWN: "application.withdraw",
    S.NOT_RECOMMENDED: "application.decline",
    S.ELIMINATED: "application.eliminate",
    S.DISQUALIFIED: "application.disqualify",
}


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    status: str  # "done", "current", "upcoming" or "stopped"
    at: dt.datetime | None
    note: str


def _labels() -> dict[str, str]:
    return {
        "submitted": _("Submitted to the recommender"),
        "recommended": _("Recommended to the province"),
        "screened": _("Provincial screening"),
        "review": _("Expert review of the materials"),
        "presentation": _("Presentation (发布)"),
        "results": _("Results published"),
    }


def _current_note(key: str, application: Application) -> str:
    deadline = application.edition.recommendation_deadline
    notes = {
        "recommended": _(
            "The recommender reviews and scores the application and sends its batch to the "
            "province by %(deadline)s (Beijing time)."
        ),
        "screened": _(
            "The provincial association checks completeness, eligibility and originality once "
            "the recommender's batch is in."
        ),
        "review": _("Experts score the materials; you are told when the review is finished."),
        "presentation": _(
            "Teams that go on present live; the association announces the date, place and order."
        ),
        "results": _("The results are published for public comment, then announced."),
    }
    text = notes.get(key, "")
    return text % {"deadline": dt_text(deadline)} if "%(deadline)s" in text else text


def dt_text(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def stages(application: Application) -> list[Stage]:
    """The way from submission to the results; empty for an application never submitted."""
    if application.submitted_at is None or application.state == S.DRAFT:
        return []
    wanted = {action for _key, actions in STAGES for action in actions}
    stop_action = STOPPED.get(S(application.state))
    if stop_action:
        wanted.add(stop_action)
    last: dict[str, dt.datetime] = {}
    for action, created_at in (
        entries_for(application).filter(action__in=wanted).values_list("action", "created_at")
    ):
        if action not in last or created_at > last[action]:
            last[action] = created_at
    # Only what happened since the last submission counts (an application returned and
    # submitted again starts its way afresh).
    since = last.get("application.submit", application.submitted_at)
    labels = _labels()
    found: list[Stage] = []
    reached_end = False
    for key, actions in STAGES:
        times = [last[a] for a in actions if a in last and last[a] >= since]
        at = max(times) if times else None
        if reached_end:
            break
        if at is not None:
            found.append(Stage(key, labels[key], "done", at, ""))
            continue
        if stop_action:
            stopped_at = last.get(stop_action)
            label = str(application.get_state_display())
            found.append(Stage(key, label, "stopped", stopped_at, application.state_reason))
            reached_end = True
            continue
        status = "current" if not found or found[-1].status == "done" else "upcoming"
        note = _current_note(key, application) if status == "current" else ""
        found.append(Stage(key, labels[key], status, None, note))
    return found
