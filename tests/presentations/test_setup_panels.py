"""Each room's panel from the assignment core: one panel per expert, conflict-free where it can
be, recusals where it cannot, never fewer than three scorers per team; the chair and swaps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from banzu.applications.models import Team
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import setup, setup_panels
from banzu.presentations.enums import RoomState
from banzu.presentations.models import PanelMember, Recusal, Room, Slot
from banzu.review.enums import AssignmentSource, AssignmentState
from banzu.review.models import Assignment
from tests.conftest import client_for
from tests.presentations.conftest import make_expert
from tests.presentations.test_setup import fresh_event


def experts(count: int, start: int = 1) -> list:
    return [make_expert(f"pe{i}", f"专家{i:02d}") for i in range(start, start + count)]


def panel_names(room) -> list[str]:
    return [m.expert.full_name for m in PanelMember.objects.filter(room=room)]


def recusal_rows(event) -> list[tuple[str, str, str]]:
    return [
        (r.member.expert.full_name, r.slot.application.recommendation_number, r.reason)
        for r in Recusal.objects.filter(member__room__event=event).order_by("slot__application_id")
    ]


@pytest.fixture
def two_rooms(edition, admin_user):
    """Two rooms of two teams each (teams 1 and 3 in the first, 2 and 4 in the second)."""
    fresh = fresh_event(edition, rooms=2, teams=4, panel_size=3)
    setup.distribute(event=fresh.event, by=admin_user)
    return fresh


def employ(user, slot) -> None:
    profile = user.expert_profile
    profile.employer = slot.application.team.enterprise
    profile.save()


def test_panels_keep_an_expert_away_from_the_room_of_their_enterprise(two_rooms, admin_user):
    pool = experts(6)
    employ(pool[0], two_rooms.slots[0])  # 专家01 works for team 1's enterprise, in room one

    run = setup_panels.assign_panels(event=two_rooms.event, by=admin_user)

    first, second = (panel_names(room) for room in two_rooms.rooms)
    assert (run.conflict_free, run.recusals, run.problems) == (True, 0, [])
    assert ("专家01" in second, len(first), len(second), set(first) & set(second)) == (
        True,
        3,
        3,
        set(),
    )
    assert [Room.objects.get(pk=r.pk).chair.full_name for r in two_rooms.rooms] == [
        first[0],
        second[0],
    ]
    entry = AuditEntry.objects.get(action="presentations.panels_assigned")
    assert (entry.data["k"], entry.data["recusals"], entry.data["conflict_free"]) == (3, 0, True)


def test_too_few_experts_says_exactly_how_many_are_missing(two_rooms, admin_user):
    experts(5)

    with pytest.raises(ServiceError) as refused:
        setup_panels.assign_panels(event=two_rooms.event, by=admin_user)

    assert refused.value.message == (
        "The panels need 6 experts (3 per room × 2 rooms), but only 5 experts are available: "
        "1 missing."
    )
    assert PanelMember.objects.count() == 0


def same_enterprise_in_both_rooms(fresh) -> None:
    """Team 2 (room two) belongs to the enterprise of team 1 (room one)."""
    Team.objects.filter(pk=fresh.slots[1].application.team_id).update(
        enterprise=fresh.slots[0].application.team.enterprise
    )


def test_a_member_conflicted_in_every_room_recuses_for_that_team_only(two_rooms, admin_user):
    two_rooms.event.panel_size = 4
    two_rooms.event.save()
    same_enterprise_in_both_rooms(two_rooms)
    pool = experts(8)
    employ(pool[0], two_rooms.slots[0])

    run = setup_panels.assign_panels(event=two_rooms.event, by=admin_user)

    rows = recusal_rows(two_rooms.event)
    assert (run.conflict_free, run.recusals, len(rows)) == (False, 1, 1)
    seat = PanelMember.objects.get(expert=pool[0]).room
    number = "杭-2026-001" if seat == two_rooms.rooms[0] else "杭-2026-002"
    assert rows == [("专家01", number, "enterprise")]
    assert run.problems == [
        "These rooms together need 8 experts free of conflicts with their teams: 第一分会场、"
        "第二分会场. Only 7 such experts exist (专家02、专家03、专家04、专家05、专家06、专家07、"
        "专家08)."
    ]


def test_panels_are_refused_when_a_team_would_keep_fewer_than_three_scorers(two_rooms, admin_user):
    same_enterprise_in_both_rooms(two_rooms)
    pool = experts(6)
    employ(pool[0], two_rooms.slots[0])

    with pytest.raises(ServiceError) as refused:
        setup_panels.assign_panels(event=two_rooms.event, by=admin_user)

    team = refused.value.problems[-1]
    assert team.endswith(
        "would keep only 2 scorers, fewer than 3: 专家01 works for its enterprise."
    )
    assert team.startswith(("杭-2026-001 ", "杭-2026-002 "))
    assert (PanelMember.objects.count(), Recusal.objects.count()) == (0, 0)


def declared_conflict(slot):
    """An expert on no panel who declared a conflict on the slot's application."""
    newcomer = make_expert("declared", "申报冲突专家")
    Assignment.objects.create(
        application=slot.application,
        expert=newcomer,
        state=AssignmentState.CONFLICT,
        source=AssignmentSource.MANUAL,
        reason="曾为该单位提供咨询服务",
    )
    return newcomer


def test_a_conflict_declared_in_the_materials_review_becomes_a_recusal(two_rooms, admin_user):
    two_rooms.event.panel_size = 4
    two_rooms.event.save()
    experts(8)
    run = setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    assert run.conflict_free is True
    newcomer = declared_conflict(two_rooms.slots[0])
    room = two_rooms.rooms[0]
    leaving = PanelMember.objects.filter(room=room).last().expert

    mine = setup_panels.swap_member(room=room, old=leaving, new=newcomer, by=admin_user)

    assert [(r.slot_id, r.reason) for r in mine] == [(two_rooms.slots[0].pk, "declared")]
    assert ("申报冲突专家" in panel_names(room), leaving.full_name in panel_names(room)) == (
        True,
        False,
    )
    entry = AuditEntry.objects.get(action="presentations.panel_member_swapped")
    assert entry.data == {
        "old": leaving.pk,
        "new": newcomer.pk,
        "recusals": [two_rooms.slots[0].pk],
    }


def test_a_swap_is_refused_when_a_team_would_keep_two_scorers(two_rooms, admin_user):
    experts(6)
    setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    newcomer = declared_conflict(two_rooms.slots[0])
    room = two_rooms.rooms[0]
    leaving = PanelMember.objects.filter(room=room).last().expert
    team = two_rooms.slots[0].application.team.name

    with pytest.raises(ServiceError) as refused:
        setup_panels.swap_member(room=room, old=leaving, new=newcomer, by=admin_user)

    assert refused.value.message == (
        f"杭-2026-001 {team} in 第一分会场 would keep only 2 scorers, fewer than 3: "
        "申报冲突专家 declared a conflict with it in the materials review."
    )
    assert leaving.full_name in panel_names(room)
    assert Recusal.objects.count() == 0


def test_an_expert_already_seated_cannot_be_swapped_in(two_rooms, admin_user):
    experts(6)
    setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    first, second = two_rooms.rooms
    seated = PanelMember.objects.filter(room=second).first().expert
    leaving = PanelMember.objects.filter(room=first).first().expert

    with pytest.raises(ServiceError) as refused:
        setup_panels.swap_member(room=first, old=leaving, new=seated, by=admin_user)

    assert refused.value.message == f"{seated.full_name} already sits on the panel of 第二分会场."


def test_the_admin_picks_the_chair_from_the_panel(two_rooms, admin_user):
    experts(6)
    setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    room = two_rooms.rooms[0]
    member = PanelMember.objects.filter(room=room).last().expert
    outsider = PanelMember.objects.filter(room=two_rooms.rooms[1]).first().expert

    response = client_for(admin_user).post(
        reverse("presentations:setup_chair", args=[room.pk]), {"expert": member.pk}
    )
    with pytest.raises(ServiceError) as refused:
        setup_panels.set_chair(room=room, expert=outsider, by=admin_user)

    room.refresh_from_db()
    assert (response.status_code, room.chair) == (302, member)
    assert refused.value.message == f"{outsider.full_name} is not on the panel of 第一分会场."


def test_panels_cannot_be_assigned_again_once_a_room_is_drawn(two_rooms, admin_user):
    experts(6)
    Room.objects.filter(pk=two_rooms.rooms[0].pk).update(state=RoomState.DRAWN)

    with pytest.raises(ServiceError) as refused:
        setup_panels.assign_panels(event=two_rooms.event, by=admin_user)

    assert refused.value.message == (
        "The panels cannot be assigned again: the order of 第一分会场 is drawn. Change a member "
        "by hand instead."
    )


def test_moving_a_team_makes_the_recusals_follow(two_rooms, admin_user):
    two_rooms.event.panel_size = 4
    two_rooms.event.save()
    pool = experts(8)
    employ(pool[0], two_rooms.slots[0])
    setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    assert recusal_rows(two_rooms.event) == []
    # 专家01 sits in room two (free of team 1): team 1 moves there and they recuse.

    setup.move_slot(slot=two_rooms.slots[0], room=two_rooms.rooms[1], by=admin_user)

    assert recusal_rows(two_rooms.event) == [("专家01", "杭-2026-001", "enterprise")]


def test_the_panels_page_says_who_recuses_for_which_team_and_why(two_rooms, admin_user):
    two_rooms.event.panel_size = 4
    two_rooms.event.save()
    pool = experts(8)
    employ(pool[0], two_rooms.slots[0])
    setup_panels.assign_panels(event=two_rooms.event, by=admin_user)
    setup.move_slot(slot=two_rooms.slots[0], room=two_rooms.rooms[1], by=admin_user)
    team = two_rooms.slots[0].application.team.name

    response = client_for(admin_user).get(reverse("presentations:setup_panels"))

    assert f"专家01 recuses for team 杭-2026-001 {team}: works for its enterprise" in (
        response.content.decode()
    )
    assert Slot.objects.filter(room=two_rooms.rooms[1]).count() == 3
