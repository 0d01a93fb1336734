"""The chair returns a submitted sheet to its expert for correction: the submitted version is
kept, the expert sees it again (also once the team is done) and submits it with a new key."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import sheets
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PresentationSheet, PresentationSheetVersion, Slot
from tests.conftest import client_for

GOOD = {1: "5.5", 2: "4", 3: "3.5", 4: "2.5", 5: "3"}  # 18.5


def submitted(world, user, slot=None, key=None, points=GOOD):
    return sheets.submit_sheet(
        slot=slot or world.slots_a[0],
        expert=user,
        points=points,
        comment="",
        client_key=key or uuid.uuid4(),
    ).sheet


def finish_first_team(world):
    first, second = world.slots_a[0], world.slots_a[1]
    Slot.objects.filter(pk=first.pk).update(state=SlotState.DONE)
    Slot.objects.filter(pk=second.pk).update(state=SlotState.PRESENTING)
    world.room_a.current = second
    world.room_a.save()


def return_url(sheet):
    return reverse("presentations:sheet_return", args=[sheet.pk])


def test_chair_returns_with_reason_and_the_expert_resubmits(world):
    chair, member = world.panel_a[0], world.panel_a[1]
    first_key = uuid.uuid4()
    sheet = submitted(world, member, key=first_key)
    finish_first_team(world)

    response = client_for(chair).post(return_url(sheet), {"reason": "第二项误录为 4 分"})

    sheet.refresh_from_db()
    old = PresentationSheetVersion.objects.get(sheet=sheet)
    assert response.status_code == 302
    assert (sheet.state, sheet.version, sheet.client_key, sheet.submitted_at) == (
        SheetState.RETURNED,
        2,
        None,
        None,
    )
    assert (old.version, old.total, old.client_key, old.returned_by, old.reason) == (
        1,
        Decimal("18.5"),
        first_key,
        chair,
        "第二项误录为 4 分",
    )
    entry = AuditEntry.objects.get(action="presentations.sheet.returned")
    assert (entry.actor_id, entry.data["reason"], entry.data["kept_version"]) == (
        chair.pk,
        "第二项误录为 4 分",
        1,
    )

    # The team is done, yet the expert sees the returned sheet and submits it again.
    page = client_for(member).get(
        reverse("presentations:score", args=[world.room_a.pk]) + f"?slot={world.slots_a[0].pk}"
    )
    assert "The panel chair returned your sheet: 第二项误录为 4 分." in page.content.decode()
    assert 'name="points_2" value="4.0"' in page.content.decode()
    again = client_for(member).post(
        reverse("presentations:score_submit", args=[world.room_a.pk]),
        data=json.dumps(
            {
                "slot": world.slots_a[0].pk,
                "items": [{"position": p, "points": v} for p, v in (GOOD | {2: "3"}).items()],
                "comment": "",
                "client_key": str(uuid.uuid4()),
            }
        ),
        content_type="application/json",
    )
    sheet.refresh_from_db()
    assert again.status_code == 200
    assert (sheet.state, sheet.total, sheet.version) == (SheetState.SUBMITTED, Decimal("17.5"), 2)


def test_the_expert_page_names_the_returned_sheet_while_another_team_presents(world):
    member = world.panel_a[1]
    sheet = submitted(world, member)
    finish_first_team(world)
    sheets.return_sheet(sheet=sheet, by=world.panel_a[0], reason="请复核")

    page = client_for(member).get(reverse("presentations:score", args=[world.room_a.pk]))

    text = page.content.decode()
    assert world.slots_a[1].application.team.name in text  # the team presenting now
    assert (
        f"The chair returned your sheet for {world.slots_a[0].application.team.name} "
        "for correction." in text
    )
    assert f"?slot={world.slots_a[0].pk}" in text


def test_the_old_key_after_a_return_changes_nothing(world):
    member = world.panel_a[1]
    key = uuid.uuid4()
    sheet = submitted(world, member, key=key)
    sheets.return_sheet(sheet=sheet, by=world.panel_a[0], reason="请复核")

    again = sheets.submit_sheet(
        slot=world.slots_a[0], expert=member, points=GOOD, comment="", client_key=key
    )

    sheet.refresh_from_db()
    assert (again.replayed, again.sheet.pk, sheet.state) == (True, sheet.pk, SheetState.RETURNED)
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 1


def test_a_panel_member_who_is_not_the_chair_cannot_return(world):
    sheet = submitted(world, world.panel_a[1])
    other = world.panel_a[2]

    response = client_for(other).post(return_url(sheet), {"reason": "想改"})

    sheet.refresh_from_db()
    assert response.status_code == 404
    assert sheet.state == SheetState.SUBMITTED
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_id, denied.data["object"]) == (other.pk, "presentation room (chair)")


def test_the_service_refuses_a_non_chair_and_journals_it(world):
    sheet = submitted(world, world.panel_a[1])

    with pytest.raises(ServiceError) as refused:
        sheets.return_sheet(sheet=sheet, by=world.panel_a[2], reason="想改")

    assert refused.value.code == "forbidden"
    entry = AuditEntry.objects.get(action="presentations.sheet.transition_refused")
    assert (entry.actor_id, entry.data["code"]) == (world.panel_a[2].pk, "forbidden")
    assert PresentationSheetVersion.objects.count() == 0


def test_the_chair_cannot_return_their_own_sheet_but_the_admin_can(world, admin_user):
    chair = world.panel_a[0]
    own = submitted(world, chair)

    with pytest.raises(ServiceError) as refused:
        sheets.return_sheet(sheet=own, by=chair, reason="我自己改")
    returned = sheets.return_sheet(sheet=own, by=admin_user, reason="组长申请更正")

    assert refused.value.code == "forbidden"
    assert returned.state == SheetState.RETURNED
    assert PresentationSheetVersion.objects.get(sheet=own).returned_by == admin_user


def test_a_return_needs_a_reason(world):
    sheet = submitted(world, world.panel_a[1])

    response = client_for(world.panel_a[0]).post(return_url(sheet), {"reason": "  "})

    sheet.refresh_from_db()
    assert response.status_code == 302
    assert sheet.state == SheetState.SUBMITTED
    assert PresentationSheetVersion.objects.count() == 0


def test_no_return_once_the_room_is_closed(world):
    sheet = submitted(world, world.panel_a[1])
    world.room_a.state = RoomState.CLOSED
    world.room_a.save()

    with pytest.raises(ServiceError) as refused:
        sheets.return_sheet(sheet=sheet, by=world.panel_a[0], reason="请复核")

    assert refused.value.code == "room_closed"
    assert AuditEntry.objects.get(action="presentations.sheet.transition_refused").data["code"] == (
        "room_closed"
    )


def test_the_chair_never_sees_the_others_points_the_admin_does(world, admin_user):
    chair, member = world.panel_a[0], world.panel_a[1]
    submitted(world, member, points=GOOD | {1: "6"})
    url = reverse("presentations:chair_sheets", args=[world.room_a.pk])
    client = client_for(chair)

    before = client.get(url).content.decode()
    submitted(world, chair)
    after = client.get(url).content.decode()
    admin = client_for(admin_user).get(url).content.decode()

    assert "1 of 5 submitted" in before
    assert "2 of 5 submitted" in after
    assert "<strong>19.0</strong>" not in before + after
    assert "Return for correction" in after
    assert "<strong>19.0</strong>" in admin


@pytest.mark.parametrize("who", ["panel_a", "expert_b", "secretary_a", "applicant_a"])
def test_only_the_chair_and_the_admin_reach_the_chair_page(world, request, who):
    user = world.panel_a[1] if who == "panel_a" else getattr(world, who, None)
    user = user or request.getfixturevalue(who)

    response = client_for(user).get(reverse("presentations:chair_sheets", args=[world.room_a.pk]))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_id, denied.data["object"]) == (user.pk, "presentation room (chair)")


def test_the_admin_reaches_every_chair_page(world, admin_user):
    response = client_for(admin_user).get(
        reverse("presentations:chair_sheets", args=[world.room_b.pk])
    )

    assert response.status_code == 200
    assert "The sheets of 第二分会场" in response.content.decode()


def _present(world, count):
    for slot in world.slots_a[:count]:
        Slot.objects.filter(pk=slot.pk).update(state=SlotState.DONE)
        for user in world.panel_a:
            submitted_done(world, user, slot)


def submitted_done(world, user, slot):
    PresentationSheet.objects.create(
        slot=slot,
        expert=user,
        state=SheetState.SUBMITTED,
        items=[{"position": p, "points": v} for p, v in GOOD.items()],
        total=Decimal("18.5"),
    )


@pytest.mark.parametrize("count", [1, 3])
def test_the_chair_page_reads_a_fixed_number_of_queries(
    world, admin_user, count, django_assert_num_queries
):
    _present(world, count)
    client = client_for(admin_user)
    url = reverse("presentations:chair_sheets", args=[world.room_a.pk])

    with django_assert_num_queries(11):
        response = client.get(url)

    assert response.content.decode().count("5 of 5 submitted") == count
