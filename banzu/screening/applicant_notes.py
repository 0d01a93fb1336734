"""The screening's answer to the application page's question (banzu.core.hooks.application_notes):
the explanation the province wrote on its screening decision, which the decision form promises
"the enterprise and its recommender read". The page is the application's own, so whoever reads
it may already see the application; the decision's internal evidence is not part of the note."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils.translation import gettext as _

from banzu.applications.models import Application
from banzu.core import hooks
from banzu.screening.models import Decision


@receiver(hooks.application_notes, dispatch_uid="screening.applicant_notes")
def screening_notes(
    sender: type, *, application: Application, **kwargs: Any
) -> list[hooks.StageNote]:
    notes = []
    for decision in Decision.objects.filter(application=application):
        words = [str(decision.get_outcome_display())]
        if decision.reason_code:
            words.append(str(decision.get_reason_code_display()))
        if decision.reason_text:
            words.append(decision.reason_text)
        if len(words) == 1:
            continue  # a pass without words: the timeline already shows it
        notes.append(
            hooks.StageNote(
                stage=_("Provincial screening"),
                written_at=decision.decided_at,
                text=" · ".join(words),
            )
        )
    return notes
