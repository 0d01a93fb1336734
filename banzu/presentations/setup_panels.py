"""Each room's expert panel (评审专家组) and its chair, from the pure assignment core.

The rooms are the core's candidates (each with its dominant industry) and the available experts
its reviewers, k = the event's panel size; with at least k × rooms experts every expert sits on
at most one panel (the core balances loads to floor or ceil of k × rooms / experts, here 0 or 1).

Conflicts are the materials review's: the same enterprise or the same recommender
(banzu.review.selectors.automatic_conflicts) and the conflicts the experts declared there
(blocked_pairs). A panel is first sought with no member conflicted with any team of the room.
When none exists, the core is asked again to keep as many member–room pairs free of conflicts
as it can (a room's token as the only "industry" a free expert knows); then a conflicted member
recuses for that team only, and every team must keep at least MIN_SCORERS scorers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.editions.models import Edition
from banzu.presentations.enums import RoomState
from banzu.presentations.models import Event, PanelMember, Recusal, Room, Slot
from banzu.review.assignment import Candidate, NoAssignment, Problem, Reviewer, assign
from banzu.review.models import ExpertProfile
from banzu.review.selectors import automatic_conflicts, blocked_pairs, pool

actions.register(
    "presentations.panels_assigned",
    "presentations.chair_set",
    "presentations.panel_member_swapped",
)

MIN_SCORERS = 3
DECLARED = "declared"
SHOWN = 8


def recusal_reason(code: str) -> str:
    """The words for a stored recusal reason (a conflict code, or a text typed elsewhere)."""
    words = {
        "enterprise": _("works for its enterprise"),
        "recommender": _("belongs to its recommender"),
        DECLARED: _("declared a conflict with it in the materials review"),
    }
    return words.get(code, code)


def conflict_map(
    edition: Edition, applications: Sequence[Application], profiles: Iterable[ExpertProfile]
) -> dict[tuple[int, int], str]:
    """(application pk, expert user pk) -> reason code, for every conflicted pair."""
    profiles = list(profiles)
    pairs = automatic_conflicts(applications, profiles)
    experts = {profile.user_id for profile in profiles}
    wanted = {application.pk for application in applications}
    for application_id, expert_id in blocked_pairs(edition):
        if application_id in wanted and expert_id in experts:
            pairs.setdefault((application_id, expert_id), DECLARED)
    return pairs


def _room_slots(room: Room) -> list[Slot]:
    return list(
        Slot.objects.filter(room=room, presenting=True)
        .select_related("application__team__enterprise", "application__recommender")
        .order_by("application_id")
    )


def sync_recusals(room: Room) -> list[Recusal]:
    """Make the room's recusals exactly its members' conflicts with its teams."""
    members = list(PanelMember.objects.filter(room=room).select_related("expert"))
    slots = _room_slots(room)
    wanted: dict[tuple[int, int], str] = {}
    if members and slots:
        profiles = pool().filter(user_id__in=[member.expert_id for member in members])
        pairs = conflict_map(room.event.edition, [slot.application for slot in slots], profiles)
        for member in members:
            for slot in slots:
                reason = pairs.get((slot.application_id, member.expert_id))
                if reason:
                    wanted[(member.pk, slot.pk)] = reason
    existing = {
        (recusal.member_id, recusal.slot_id): recusal
        for recusal in Recusal.objects.filter(member__room=room)
        | Recusal.objects.filter(slot__room=room)
    }
    stale = [r.pk for key, r in existing.items() if wanted.get(key) != r.reason]
    Recusal.objects.filter(pk__in=stale).delete()
    kept = {key: r for key, r in existing.items() if r.pk not in stale}
    for (member_id, slot_id), reason in sorted(wanted.items()):
        if (member_id, slot_id) not in kept:
            kept[(member_id, slot_id)] = Recusal.objects.create(
                member_id=member_id, slot_id=slot_id, reason=reason
            )
    return list(kept.values())


def check_scorers(room: Room) -> None:
    """Refuse when a team of the room would keep fewer than MIN_SCORERS scorers, saying which
    team, and who recuses and why."""
    members = list(PanelMember.objects.filter(room=room).select_related("expert"))
    if not members:
        return
    recusals: dict[int, list[Recusal]] = {}
    for recusal in Recusal.objects.filter(member__room=room).select_related("member__expert"):
        recusals.setdefault(recusal.slot_id, []).append(recusal)
    problems = []
    for slot in _room_slots(room):
        out = recusals.get(slot.pk, [])
        left = len(members) - len(out)
        if left < MIN_SCORERS:
            problems.append(
                _(
                    "%(team)s in %(room)s would keep only %(left)s scorers, fewer than "
                    "%(min)s: %(who)s."
                )
                % {
                    "team": team_label(slot.application),
                    "room": room.name,
                    "left": left,
                    "min": MIN_SCORERS,
                    "who": "; ".join(
                        _("%(expert)s %(reason)s")
                        % {
                            "expert": r.member.expert.display_name,
                            "reason": recusal_reason(r.reason),
                        }
                        for r in sorted(out, key=lambda r: r.member.expert.display_name)
                    ),
                }
            )
    if problems:
        raise ServiceError(" ".join(problems), code="scorers", problems=problems)


def team_label(application: Application) -> str:
    return f"{application.recommendation_number or application.pk} {application.team.name}"


def dominant_industry(slots: Sequence[Slot]) -> str:
    counts = Counter(slot.application.team.enterprise.industry for slot in slots)
    if not counts:
        return ""
    return min(counts, key=lambda industry: (-counts[industry], industry))


def _refuse_unless(room: Room, *states: str) -> None:
    if room.state not in states:
        raise ServiceError(
            _("The panel of %(room)s cannot change: the room is %(state)s.")
            % {"room": room.name, "state": room.get_state_display()},
            code="state",
        )


def _names(names: Sequence[str]) -> str:
    shown = "、".join(names[:SHOWN])
    if len(names) > SHOWN:
        shown += _(" and %(n)s more") % {"n": len(names) - SHOWN}
    return shown


def describe(
    problems: Iterable[Problem], rooms: dict[int, Room], experts: dict[int, str]
) -> list[str]:
    """The core's problems in the admin's words, rooms and experts by name."""
    texts = []
    for p in problems:
        values = {
            "rooms": _names([rooms[pk].name if pk in rooms else str(pk) for pk in p.applications]),
            "experts": _names([experts.get(pk, str(pk)) for pk in p.experts]),
            "needed": p.needed,
            "available": p.available,
        }
        if p.code == "no_reviewers":
            texts.append(_("The expert pool has no available expert."))
        elif p.code == "k_too_large":
            texts.append(
                _("A panel needs %(needed)s experts but only %(available)s are available.") % values
            )
        elif p.code == "application_short":
            texts.append(
                ngettext(
                    "%(rooms)s needs %(needed)s expert free of conflicts with all its teams, but "
                    "only %(available)s available experts are.",
                    "%(rooms)s needs %(needed)s experts free of conflicts with all its teams, but "
                    "only %(available)s available experts are.",
                    p.needed,
                )
                % values
            )
        elif p.code == "group_short":
            texts.append(
                _(
                    "These rooms together need %(needed)s experts free of conflicts with their "
                    "teams: %(rooms)s. Only %(available)s such experts exist (%(experts)s)."
                )
                % values
            )
        else:
            texts.append(
                _("No panels with one seat per expert exist (%(code)s).") % {"code": p.code}
            )
    return texts


@dataclass
class PanelRun:
    members: dict[str, list[str]]  # room name -> expert names
    recusals: int
    conflict_free: bool
    problems: list[str] = field(default_factory=list)  # why no conflict-free panels exist


def assign_panels(*, event: Event, by: User, ip: str | None = None) -> PanelRun:
    """Give every room a panel of `panel_size` available experts, each expert on one panel,
    chair the first member; replaces earlier panels. Refused once any room is drawn."""
    with transaction.atomic():
        Event.objects.select_for_update().get(pk=event.pk)
        rooms = list(event.rooms.order_by("position"))
        if not rooms:
            raise ServiceError(_("Add a room first."), code="no_rooms")
        drawn = [room.name for room in rooms if room.state != RoomState.SETUP]
        if drawn:
            raise ServiceError(
                _(
                    "The panels cannot be assigned again: the order of %(rooms)s is drawn. "
                    "Change a member by hand instead."
                )
                % {"rooms": "、".join(drawn)},
                code="drawn",
            )
        slots = {room.pk: _room_slots(room) for room in rooms}
        if not any(slots.values()):
            raise ServiceError(
                _("No room has teams yet: distribute the teams first."), code="no_teams"
            )
        profiles = list(pool(available_only=True))
        k = event.panel_size
        needed = k * len(rooms)
        if len(profiles) < needed:
            raise ServiceError(
                _(
                    "The panels need %(needed)s experts (%(k)s per room × %(rooms)s rooms), but "
                    "only %(available)s experts are available: %(missing)s missing."
                )
                % {
                    "needed": needed,
                    "k": k,
                    "rooms": len(rooms),
                    "available": len(profiles),
                    "missing": needed - len(profiles),
                },
                code="too_few",
            )
        applications = [slot.application for room_slots in slots.values() for slot in room_slots]
        room_of = {
            slot.application_id: pk for pk, room_slots in slots.items() for slot in room_slots
        }
        pairs = conflict_map(event.edition, applications, profiles)
        room_conflicts = {(room_of[app_id], expert_id) for app_id, expert_id in pairs}
        names = {profile.user_id: profile.user.display_name for profile in profiles}
        problems: list[str] = []
        try:
            plan = assign(
                candidates=[
                    Candidate(room.pk, dominant_industry(slots[room.pk])) for room in rooms
                ],
                reviewers=[Reviewer(p.user_id, frozenset(p.specialities)) for p in profiles],
                k=k,
                conflicts=room_conflicts,
            )
        except NoAssignment as error:
            problems = describe(error.problems, {room.pk: room for room in rooms}, names)
            plan = assign(
                candidates=[Candidate(room.pk, f"room:{room.pk}") for room in rooms],
                reviewers=[
                    Reviewer(
                        p.user_id,
                        frozenset(
                            f"room:{room.pk}"
                            for room in rooms
                            if (room.pk, p.user_id) not in room_conflicts
                        ),
                    )
                    for p in profiles
                ],
                k=k,
                conflicts=(),
            )
        Room.objects.filter(event=event).update(chair=None)
        PanelMember.objects.filter(room__event=event).delete()
        recusals = 0
        members: dict[str, list[str]] = {}
        for room in rooms:
            for expert_id in plan.new[room.pk]:
                PanelMember.objects.create(room=room, expert_id=expert_id)
            first = PanelMember.objects.filter(room=room).first()
            room.chair_id = first.expert_id if first else None
            room.save(update_fields=["chair"])
            recusals += len(sync_recusals(room))
            members[room.name] = [names[pk] for pk in plan.new[room.pk]]
        try:
            for room in rooms:
                check_scorers(room)
        except ServiceError as error:
            raise ServiceError(
                " ".join([*problems, error.message]),
                code="scorers",
                problems=[*problems, *error.problems],
            ) from error
        record(
            action="presentations.panels_assigned",
            actor=by,
            target=event,
            data={
                "k": k,
                "panels": {str(room.pk): list(plan.new[room.pk]) for room in rooms},
                "recusals": recusals,
                "conflict_free": not problems,
            },
            ip=ip,
        )
    return PanelRun(members, recusals, not problems, problems)


def set_chair(*, room: Room, expert: User, by: User, ip: str | None = None) -> Room:
    with transaction.atomic():
        room = Room.objects.select_for_update().get(pk=room.pk)
        _refuse_unless(room, RoomState.SETUP, RoomState.DRAWN)
        if not PanelMember.objects.filter(room=room, expert=expert).exists():
            raise ServiceError(
                _("%(expert)s is not on the panel of %(room)s.")
                % {"expert": expert.display_name, "room": room.name}
            )
        before = room.chair_id
        room.chair = expert
        room.save(update_fields=["chair"])
        record(
            action="presentations.chair_set",
            actor=by,
            target=room,
            data={"from": before, "to": expert.pk},
            ip=ip,
        )
    return room


def swap_member(
    *, room: Room, old: User, new: User, by: User, ip: str | None = None
) -> list[Recusal]:
    """Replace one member by an available expert who sits on no panel of the event; the new
    member's conflicts become recusals, and every team must keep MIN_SCORERS scorers."""
    with transaction.atomic():
        room = Room.objects.select_for_update().select_related("event__edition").get(pk=room.pk)
        _refuse_unless(room, RoomState.SETUP, RoomState.DRAWN)
        seat = PanelMember.objects.filter(room=room, expert=old).first()
        if seat is None:
            raise ServiceError(
                _("%(expert)s is not on the panel of %(room)s.")
                % {"expert": old.display_name, "room": room.name}
            )
        if not pool(available_only=True).filter(user=new).exists():
            raise ServiceError(
                _("%(expert)s is not an available expert of the pool.")
                % {"expert": new.display_name}
            )
        elsewhere = (
            PanelMember.objects.filter(room__event=room.event, expert=new)
            .select_related("room")
            .first()
        )
        if elsewhere is not None:
            raise ServiceError(
                _("%(expert)s already sits on the panel of %(room)s.")
                % {"expert": new.display_name, "room": elsewhere.room.name}
            )
        seat.delete()
        PanelMember.objects.create(room=room, expert=new)
        if room.chair_id == old.pk:
            room.chair = new
            room.save(update_fields=["chair"])
        recusals = sync_recusals(room)
        check_scorers(room)
        mine = [r for r in recusals if r.member.expert_id == new.pk]
        record(
            action="presentations.panel_member_swapped",
            actor=by,
            target=room,
            data={"old": old.pk, "new": new.pk, "recusals": [r.slot_id for r in mine]},
            ip=ip,
        )
    return mine


@dataclass
class MemberRow:
    member: PanelMember
    is_chair: bool
    recusals: list[tuple[Slot, str]]  # (team, reason in words)


@dataclass
class RoomPanel:
    room: Room
    members: list[MemberRow]
    teams: int


def panels_overview(event: Event) -> list[RoomPanel]:
    """Each room's panel with its chair and recusals, in a fixed number of queries."""
    rooms = list(event.rooms.order_by("position").select_related("chair"))
    members: dict[int, list[PanelMember]] = {}
    for member in PanelMember.objects.filter(room__event=event).select_related("expert"):
        members.setdefault(member.room_id, []).append(member)
    out: dict[int, list[tuple[Slot, str]]] = {}
    for recusal in (
        Recusal.objects.filter(member__room__event=event)
        .select_related("slot__application__team")
        .order_by("slot__application_id")
    ):
        out.setdefault(recusal.member_id, []).append((recusal.slot, recusal_reason(recusal.reason)))
    counts = Counter(
        Slot.objects.filter(event=event, presenting=True, room__isnull=False).values_list(
            "room_id", flat=True
        )
    )
    return [
        RoomPanel(
            room=room,
            members=[
                MemberRow(m, m.expert_id == room.chair_id, out.get(m.pk, []))
                for m in members.get(room.pk, [])
            ],
            teams=counts[room.pk],
        )
        for room in rooms
    ]


def free_experts(event: Event) -> list[ExpertProfile]:
    """Available experts on no panel of the event: who can come in by hand."""
    seated = PanelMember.objects.filter(room__event=event).values("expert_id")
    return list(pool(available_only=True).exclude(user_id__in=seated))
