"""The inputs of the edition's results, read exactly once: every counted sheet of every team
that presented, and every other application of the edition that reached the review, set apart
with its reason.

A materials sheet counts as the expert review counts it (banzu.review.results.counted_sheets: a
submitted materials sheet of an expert still assigned). A presentation sheet counts as the event
counts it (banzu.presentations.selectors.slot_score): a submitted sheet of a member of the
room's panel who is not recused from the team. A team is ranked when its slot is done and its
room closed (the application is `presented` or later) with at least one counted presentation
sheet; a team still waiting for its score, or still under review, keeps the results from being
computed (`Inputs.blocking`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.presentations.enums import SheetState, SlotState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal, Room, Slot
from banzu.results.enums import ApartReason
from banzu.review.results import counted_sheets
from banzu.screening.models import Decision

MATERIALS = "materials"
PRESENTATION = "presentation"

# Ranked once presented; the review's states are not finished yet.
PRESENTED_STATES = (ApplicationState.PRESENTED, ApplicationState.RANKED, ApplicationState.PUBLISHED)
REVIEW_UNFINISHED_STATES = (
    ApplicationState.RECOMMENDED,
    ApplicationState.SCREENED,
    ApplicationState.UNDER_REVIEW,
)
LISTED_STATES = (
    *REVIEW_UNFINISHED_STATES,
    ApplicationState.SCORED,
    *PRESENTED_STATES,
    ApplicationState.ELIMINATED,
    ApplicationState.DISQUALIFIED,
)
BLOCKING = (ApartReason.NO_PRESENTATION_SCORE, ApartReason.REVIEW_UNFINISHED)


@dataclass(frozen=True)
class CountedSheet:
    """One counted sheet as it stood when read: what a sealed version records of it."""

    kind: str  # MATERIALS or PRESENTATION
    pk: int
    application_id: int
    scorer_id: int
    total: Decimal
    items: tuple[tuple[int, Decimal], ...]  # (rubric item pk | presentation item position, points)
    version: int

    def record(self) -> dict[str, object]:
        return {
            "id": self.pk,
            "application": self.application_id,
            "scorer": self.scorer_id,
            "total": str(self.total),
            "items": [[key, str(points)] for key, points in self.items],
            "version": self.version,
        }


@dataclass(frozen=True)
class Apart:
    application: Application
    reason: ApartReason
    detail: str  # the recorded reason, as written


@dataclass
class Inputs:
    edition: Edition
    applications: dict[int, Application]  # every application listed, ranked or apart
    presenters: list[int]  # the application pks that are ranked, in pk order
    rooms: dict[int, Room]  # application pk -> the room it presented in (presenters)
    materials: dict[int, list[CountedSheet]] = field(default_factory=dict)  # by application
    presentation: dict[int, list[CountedSheet]] = field(default_factory=dict)
    apart: list[Apart] = field(default_factory=list)

    @property
    def blocking(self) -> list[Apart]:
        """The teams that keep the results from being computed."""
        return [apart for apart in self.apart if apart.reason in BLOCKING]

    def sheets(self) -> list[CountedSheet]:
        every = [*self.materials.values(), *self.presentation.values()]
        return sorted((sheet for sheets in every for sheet in sheets), key=sheet_key)


def sheet_key(sheet: CountedSheet) -> tuple[str, int]:
    return (sheet.kind, sheet.pk)


def _applications(edition: Edition) -> QuerySet[Application]:
    return (
        Application.objects.filter(edition=edition, state__in=LISTED_STATES)
        .exclude(state=ApplicationState.DISQUALIFIED, recommendation_number__isnull=True)
        .select_related("team__enterprise", "recommender")
        .order_by("pk")
    )


def _materials(applications: list[Application]) -> dict[int, list[CountedSheet]]:
    found: dict[int, list[CountedSheet]] = {}
    for sheet in counted_sheets(applications):
        found.setdefault(sheet.application_id, []).append(
            CountedSheet(
                kind=MATERIALS,
                pk=sheet.pk,
                application_id=sheet.application_id,
                scorer_id=sheet.scorer_id,
                total=sheet.total,
                items=tuple(
                    sorted((item.rubric_item_id, item.points) for item in sheet.items.all())
                ),
                version=sheet.version,
            )
        )
    return found


def presentation_items(sheet: PresentationSheet) -> tuple[tuple[int, Decimal], ...]:
    return tuple(
        sorted((int(item["position"]), Decimal(str(item["points"]))) for item in sheet.items)
    )


def _presentation(slots: list[Slot]) -> dict[int, list[CountedSheet]]:
    """The counted presentation sheets of the done slots, by application, in four queries."""
    done = [slot for slot in slots if slot.state == SlotState.DONE and slot.room_id is not None]
    room_ids = {slot.room_id for slot in done}
    panel: dict[int, set[int]] = {}
    for member in PanelMember.objects.filter(room_id__in=room_ids):
        panel.setdefault(member.room_id, set()).add(member.expert_id)
    recused = set(Recusal.objects.filter(slot__in=done).values_list("slot_id", "member__expert_id"))
    by_slot = {slot.pk: slot for slot in done}
    found: dict[int, list[CountedSheet]] = {}
    for sheet in PresentationSheet.objects.filter(
        slot__in=done, state=SheetState.SUBMITTED
    ).order_by("pk"):
        slot = by_slot[sheet.slot_id]
        assert slot.room_id is not None
        if sheet.expert_id not in panel.get(slot.room_id, set()):
            continue
        if (slot.pk, sheet.expert_id) in recused:
            continue
        found.setdefault(slot.application_id, []).append(
            CountedSheet(
                kind=PRESENTATION,
                pk=sheet.pk,
                application_id=slot.application_id,
                scorer_id=sheet.expert_id,
                total=sheet.total,
                items=presentation_items(sheet),
                version=sheet.version,
            )
        )
    return found


def _eliminated_reasons(applications: list[Application]) -> dict[int, str]:
    """The screening decision's reason (code and explanation) of each eliminated application."""
    eliminated = [a for a in applications if a.state == ApplicationState.ELIMINATED]
    reasons: dict[int, str] = {}
    # Latest first (Meta ordering): the first decision met is the one in force.
    for decision in Decision.objects.filter(
        application__in=eliminated, outcome=Decision.Outcome.ELIMINATED
    ):
        if decision.application_id in reasons:
            continue
        parts = [str(decision.get_reason_code_display()) if decision.reason_code else ""]
        parts.append(decision.reason_text)
        reasons[decision.application_id] = "：".join(part for part in parts if part)
    return reasons


def gather(edition: Edition) -> Inputs:
    """The edition's results inputs in a fixed number of queries."""
    applications = list(_applications(edition))
    slots = {
        slot.application_id: slot
        for slot in Slot.objects.filter(event__edition=edition).select_related("room")
    }
    eliminated = _eliminated_reasons(applications)
    scored = [a for a in applications if a.state in (ApplicationState.SCORED, *PRESENTED_STATES)]
    inputs = Inputs(
        edition=edition,
        applications={a.pk: a for a in applications},
        presenters=[],
        rooms={},
        materials=_materials(scored),
        presentation=_presentation([slots[a.pk] for a in scored if a.pk in slots]),
    )
    for application in applications:
        apart = _apart(application, slots.get(application.pk), inputs, eliminated)
        if apart is not None:
            inputs.apart.append(apart)
            continue
        slot = slots[application.pk]
        assert slot.room is not None
        inputs.presenters.append(application.pk)
        inputs.rooms[application.pk] = slot.room
    # Sheets are kept only for the teams that count: ranked, or listed as not presenting.
    listed = set(inputs.presenters) | {
        apart.application.pk for apart in inputs.apart if apart.reason == ApartReason.NOT_PRESENTED
    }
    inputs.materials = {pk: s for pk, s in inputs.materials.items() if pk in listed}
    inputs.presentation = {pk: s for pk, s in inputs.presentation.items() if pk in inputs.rooms}
    return inputs


def _apart(
    application: Application,
    slot: Slot | None,
    inputs: Inputs,
    eliminated: dict[int, str],
) -> Apart | None:
    state = application.state
    if state == ApplicationState.DISQUALIFIED:
        return Apart(application, ApartReason.DISQUALIFIED, application.state_reason)
    if state == ApplicationState.ELIMINATED:
        detail = eliminated.get(application.pk) or application.state_reason
        return Apart(application, ApartReason.ELIMINATED, detail)
    if state in REVIEW_UNFINISHED_STATES:
        return Apart(application, ApartReason.REVIEW_UNFINISHED, "")
    if slot is None:
        return Apart(application, ApartReason.NOT_PRESENTED, _("No place in the event"))
    if not slot.presenting:
        return Apart(application, ApartReason.NOT_PRESENTED, slot.not_presenting_reason)
    if slot.state == SlotState.ABSENT:
        return Apart(application, ApartReason.NOT_PRESENTED, slot.absent_reason)
    if state == ApplicationState.SCORED or slot.state != SlotState.DONE:
        return Apart(application, ApartReason.NO_PRESENTATION_SCORE, _("Not presented yet"))
    if not inputs.presentation.get(application.pk):
        return Apart(
            application, ApartReason.NO_PRESENTATION_SCORE, _("No submitted presentation sheet")
        )
    if not inputs.materials.get(application.pk):
        return Apart(application, ApartReason.REVIEW_UNFINISHED, _("No counted materials sheet"))
    return None
