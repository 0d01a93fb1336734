"""Hooks: how an earlier stage announces an event, or asks a question, that a later stage answers,
without importing it (the apps import downward only, see .importlinter).

Each hook is a plain Django signal, documented here with what it carries (as pretalx documents
its own). The app that reacts connects its receivers in its `AppConfig.ready()`; receivers stay
thin and call that app's services. The sender is the model class the event is about."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

materials_stored = Signal()
"""Sent by applications when new materials (the Word or the PDF) of an application are stored,
inside the upload's transaction, with ``application``. The screening checks that application
again, once committed, if it is already in the plagiarism report."""

batch_arrived = Signal()
"""Sent by recommendations when a recommender's batch reaches the province, inside the
submission's transaction, with ``batch``, ``actor`` and ``ip``. The screening runs the edition's
automatic checks once committed."""

sheet_withheld_from_scorer = Signal()
"""Sent by scoring before it shows a submitted score sheet to its own scorer, with ``sheet``.
A receiver answers True to withhold it: the review keeps an expert's sheet from an expert who no
longer reviews the application. No receiver, or only False answers: the scorer sees the sheet."""


def answered_yes(signal: Signal, sender: type, **named: object) -> bool:
    """Ask a question hook: True if any receiver answered True."""
    return any(answer is True for _receiver, answer in signal.send(sender=sender, **named))


dashboard_cards = Signal()
"""Sent by the home page of an applicant and of a room secretary with ``request`` and ``user``.
A receiver answers with a rendered snippet of HTML (a SafeString) to show on the page, or None:
the presentation event shows the applicant their room, position and planned time once the order
is drawn, and the secretary their room with the way to its console."""


def answers(signal: Signal, sender: type, **named: object) -> list[object]:
    """Ask a hook for contributions: every receiver's answer that is not None, in order."""
    return [
        answer for _receiver, answer in signal.send(sender=sender, **named) if answer is not None
    ]


@dataclass(frozen=True)
class StageNote:
    """A note a later stage wrote for the applicant and the recommender about one application."""

    stage: str  # the stage's name, worded (e.g. "Screening")
    written_at: dt.datetime
    text: str


application_notes = Signal()
"""Sent by the application's page with ``application`` and ``user`` (who reads it: the enterprise,
its recommender or the province). A receiver answers with a list of StageNote, newest first, or
None: the screening answers with the explanation the province wrote on its screening decision
"for the enterprise and its recommender"."""


def notes_for(sender: type, **named: object) -> list[StageNote]:
    """Ask application_notes: every receiver's notes, newest first."""
    notes: list[StageNote] = []
    for answer in answers(application_notes, sender=sender, **named):
        if isinstance(answer, list):
            notes.extend(note for note in answer if isinstance(note, StageNote))
    return sorted(notes, key=lambda note: note.written_at, reverse=True)
