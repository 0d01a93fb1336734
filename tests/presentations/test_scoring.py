"""The expert's phone: the room's scoring page, the submission (JSON and the plain form), its
scope rules and its idempotency per client key."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import sheets
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal
from tests.conftest import client_for
from tests.presentations.conftest import make_expert

GOOD = [("1", "5.5"), ("2", "4"), ("3", "3.5"), ("4", "2.5"), ("5", "3")]  # 18.5 of 20


def payload(slot, key=None, points=GOOD, comment="条理清楚"):
    return {
        "slot": slot.pk,
        "items": [{"position": int(p), "points": v} for p, v in points],
        "comment": comment,
        "client_key": str(key or uuid.uuid4()),
    }


def post_json(client, room, body):
    return client.post(
        reverse("presentations:score_submit", args=[room.pk]),
        data=json.dumps(body),
        content_type="application/json",
    )


def hms(sheet):
    return timezone.localtime(sheet.submitted_at).strftime("%H:%M:%S")


def recuse(world, user, slot, reason="同一企业"):
    member = PanelMember.objects.get(room=world.room_a, expert=user)
    return Recusal.objects.create(member=member, slot=slot, reason=reason)


def test_page_shows_the_team_presenting_and_its_sheet(world):
    member = world.panel_a[1]

    response = client_for(member).get(reverse("presentations:score", args=[world.room_a.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert world.slots_a[0].application.team.name in page
    assert "内容与典型经验" in page  # the edition's first item
    assert 'name="points_5"' in page
    assert "The server does not have your sheet for this team yet." in page
    assert f'data-storage="banzu.sheet.{world.room_a.pk}.{world.slots_a[0].pk}.v1"' in page


def test_panel_member_submits_the_current_teams_sheet(world):
    member, slot = world.panel_a[1], world.slots_a[0]
    body = payload(slot)

    response = post_json(client_for(member), world.room_a, body)

    sheet = PresentationSheet.objects.get(slot=slot, expert=member)
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["total"] == "18.5"
    assert (sheet.state, sheet.total, sheet.comment) == (
        SheetState.SUBMITTED,
        Decimal("18.5"),
        "条理清楚",
    )
    assert sheet.items == [
        {"position": 1, "points": "5.5"},
        {"position": 2, "points": "4.0"},
        {"position": 3, "points": "3.5"},
        {"position": 4, "points": "2.5"},
        {"position": 5, "points": "3.0"},
    ]
    assert str(sheet.client_key) == body["client_key"]
    entry = AuditEntry.objects.get(action="presentations.sheet.submitted")
    assert (entry.actor_id, entry.data["sheet"], entry.data["total"]) == (
        member.pk,
        sheet.pk,
        "18.5",
    )


def test_the_same_key_twice_stores_one_sheet_and_answers_the_same(world):
    member = world.panel_a[1]
    client = client_for(member)
    body = payload(world.slots_a[0])

    first = post_json(client, world.room_a, body)
    again = post_json(client, world.room_a, body)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()
    assert PresentationSheet.objects.filter(expert=member).count() == 1
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 1


def test_the_service_called_twice_with_one_key_stores_once(world):
    member, slot = world.panel_a[2], world.slots_a[0]
    key = uuid.uuid4()
    points = {int(p): v for p, v in GOOD}

    first = sheets.submit_sheet(slot=slot, expert=member, points=points, comment="", client_key=key)
    second = sheets.submit_sheet(
        slot=slot, expert=member, points=points, comment="", client_key=key
    )

    assert (first.replayed, second.replayed, second.sheet.pk) == (False, True, first.sheet.pk)
    assert PresentationSheet.objects.count() == 1
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 1


def test_another_key_for_a_submitted_sheet_is_refused(world):
    member = world.panel_a[1]
    client = client_for(member)
    post_json(client, world.room_a, payload(world.slots_a[0]))

    response = post_json(
        client, world.room_a, payload(world.slots_a[0], points=[(p, "0") for p, _ in GOOD])
    )

    assert response.status_code == 409
    assert response.json()["code"] == "submitted"
    assert PresentationSheet.objects.get(expert=member).total == Decimal("18.5")
    refusal = AuditEntry.objects.get(action="presentations.sheet_refused")
    assert refusal.data["code"] == "submitted"


def test_a_key_of_another_expert_is_refused(world):
    body = payload(world.slots_a[0])
    post_json(client_for(world.panel_a[1]), world.room_a, body)

    response = post_json(client_for(world.panel_a[2]), world.room_a, body)

    assert response.status_code == 409
    assert response.json()["code"] == "key_used"
    assert PresentationSheet.objects.count() == 1


def test_recused_member_is_refused_and_journalled(world):
    member, slot = world.panel_a[3], world.slots_a[0]
    recuse(world, member, slot)

    response = post_json(client_for(member), world.room_a, payload(slot))

    assert response.status_code == 404
    assert PresentationSheet.objects.count() == 0
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_id, denied.data["object"], denied.data["id"]) == (
        member.pk,
        "presentation slot",
        str(slot.pk),
    )


def test_the_service_refuses_a_recused_member_too(world):
    member, slot = world.panel_a[3], world.slots_a[0]
    recuse(world, member, slot)

    with pytest.raises(ServiceError) as refused:
        sheets.submit_sheet(
            slot=slot,
            expert=member,
            points={int(p): v for p, v in GOOD},
            comment="",
            client_key=uuid.uuid4(),
        )

    assert refused.value.code == "recused"
    entry = AuditEntry.objects.get(action="presentations.sheet_refused")
    assert (entry.actor_id, entry.data["code"], entry.data["slot"]) == (
        member.pk,
        "recused",
        slot.pk,
    )


def test_recused_member_sees_that_they_do_not_score(world):
    member = world.panel_a[3]
    recuse(world, member, world.slots_a[0], reason="曾指导该班组")

    response = client_for(member).get(reverse("presentations:score", args=[world.room_a.pk]))

    page = response.content.decode()
    assert "You are recused from this team (曾指导该班组): you do not score it." in page
    assert "The server does not have your sheet" not in page
    assert 'id="score-form"' not in page


def test_expert_of_another_room_gets_404_on_room_a(world):
    client = client_for(world.expert_b)

    page = client.get(reverse("presentations:score", args=[world.room_a.pk]))
    submit = post_json(client, world.room_a, payload(world.slots_a[0]))

    assert (page.status_code, submit.status_code) == (404, 404)
    assert PresentationSheet.objects.count() == 0
    denied = list(AuditEntry.objects.filter(action="access.denied").values_list("data", flat=True))
    assert denied == [
        {"object": "presentation panel seat", "id": str(world.room_a.pk), "code": "404"},
        {"object": "presentation panel seat", "id": str(world.room_a.pk), "code": "404"},
    ]


def test_a_slot_of_another_room_is_refused(world):
    response = post_json(client_for(world.panel_a[1]), world.room_a, payload(world.slots_b[0]))

    assert response.status_code == 404
    assert AuditEntry.objects.get(action="access.denied").data["object"] == "presentation slot"


def test_a_team_the_console_has_not_opened_is_refused(world):
    member, waiting = world.panel_a[1], world.slots_a[1]

    response = post_json(client_for(member), world.room_a, payload(waiting))

    assert response.status_code == 409
    assert response.json()["code"] == "not_open"
    assert PresentationSheet.objects.count() == 0
    entry = AuditEntry.objects.get(action="presentations.sheet_refused")
    assert (entry.data["code"], entry.data["slot"]) == ("not_open", waiting.pk)


def test_a_closed_room_accepts_no_sheet(world):
    world.room_a.state = RoomState.CLOSED
    world.room_a.save()

    response = post_json(client_for(world.panel_a[1]), world.room_a, payload(world.slots_a[0]))

    assert response.status_code == 409
    assert response.json()["code"] == "room_closed"
    assert AuditEntry.objects.get(action="presentations.sheet_refused").data["code"] == (
        "room_closed"
    )


def test_over_max_and_a_third_of_a_point_are_refused_naming_each_item(world):
    points = [("1", "6.5"), ("2", "0.3"), ("3", "3.5"), ("4", "2.5"), ("5", "3")]

    response = post_json(
        client_for(world.panel_a[1]), world.room_a, payload(world.slots_a[0], points=points)
    )

    assert response.status_code == 400
    assert response.json()["field_errors"] == {
        "1": "At most 6 points.",
        "2": "Use whole or half points (e.g. 4 or 4.5).",
    }
    assert PresentationSheet.objects.count() == 0


def test_the_plain_form_keeps_the_other_values_when_points_are_refused(world):
    slot = world.slots_a[0]
    data = {
        "slot": slot.pk,
        "client_key": str(uuid.uuid4()),
        "comment": "表达清楚",
        "points_1": "6.5",
        "points_2": "0.3",
        "points_3": "3.5",
        "points_4": "2.5",
        "points_5": "3",
    }

    response = client_for(world.panel_a[1]).post(
        reverse("presentations:score_submit", args=[world.room_a.pk]), data
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert 'name="points_3" value="3.5"' in page
    assert 'name="points_5" value="3"' in page
    assert "表达清楚</textarea>" in page
    assert "At most 6 points." in page
    assert PresentationSheet.objects.count() == 0


def test_the_plain_form_stores_the_sheet_and_shows_when(world):
    member, slot = world.panel_a[1], world.slots_a[0]
    data = {"slot": slot.pk, "client_key": str(uuid.uuid4()), "comment": ""}
    data |= {f"points_{p}": v for p, v in GOOD}
    client = client_for(member)

    response = client.post(reverse("presentations:score_submit", args=[world.room_a.pk]), data)
    page = client.get(response["Location"]).content.decode()

    sheet = PresentationSheet.objects.get(expert=member)
    assert response.status_code == 302
    assert response["Location"] == f"/event/rooms/{world.room_a.pk}/score/?slot={slot.pk}"
    assert sheet.total == Decimal("18.5")
    assert f"Received by the server at {hms(sheet)}" in page
    assert "Your sheet (locked)" in page
    assert 'id="score-form"' not in page


def test_status_partial_says_whether_the_server_has_the_sheet(world):
    member, slot = world.panel_a[1], world.slots_a[0]
    client = client_for(member)
    url = reverse("presentations:score_status", args=[world.room_a.pk]) + f"?slot={slot.pk}"
    before = client.get(url).content.decode()
    post_json(client, world.room_a, payload(slot))

    after = client.get(url).content.decode()

    sheet = PresentationSheet.objects.get(expert=member)
    assert "The server does not have your sheet for this team yet." in before
    assert f"Received by the server at {hms(sheet)}" in after
    assert "data-follow" not in after


def test_status_partial_follows_the_console_to_the_next_team(world):
    first, second = world.slots_a[0], world.slots_a[1]
    first.state = SlotState.DONE
    first.save()
    second.state = SlotState.PRESENTING
    second.save()
    world.room_a.current = second
    world.room_a.save()

    response = client_for(world.panel_a[1]).get(
        reverse("presentations:score_status", args=[world.room_a.pk]) + f"?slot={first.pk}"
    )

    page = response.content.decode()
    assert f'data-follow="/event/rooms/{world.room_a.pk}/score/"' in page
    assert second.application.team.name in page


@pytest.mark.parametrize("who", ["applicant_a", "secretary_a", "admin_user"])
@pytest.mark.parametrize("name", ["score", "score_status"])
def test_people_off_the_panel_get_404_on_the_scoring_pages(world, request, who, name):
    user = getattr(world, who, None) or request.getfixturevalue(who)

    response = client_for(user).get(reverse(f"presentations:{name}", args=[world.room_a.pk]))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_id, denied.data["object"]) == (user.pk, "presentation panel seat")


@pytest.mark.parametrize("who", ["applicant_a", "secretary_a"])
def test_people_off_the_panel_cannot_submit(world, request, who):
    user = getattr(world, who, None) or request.getfixturevalue(who)

    response = post_json(client_for(user), world.room_a, payload(world.slots_a[0]))

    assert response.status_code == 404
    assert PresentationSheet.objects.count() == 0


def test_expert_home_leads_to_the_room(world, edition):
    response = client_for(world.panel_a[1]).get(reverse("presentations:score_home"))

    assert response.status_code == 302
    assert response["Location"] == f"/event/rooms/{world.room_a.pk}/score/"


def test_anonymous_visitors_go_to_the_login_page(world, client):
    response = client.get(reverse("presentations:score", args=[world.room_a.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_expert_home_page_has_a_way_to_the_scoring_page(world):
    response = client_for(world.panel_a[1]).get(reverse("home"))

    assert 'href="/event/score/"' in response.content.decode()


def test_an_expert_on_no_panel_is_told_so(world):
    free = make_expert("expert_free", "自由专家")

    response = client_for(free).get(reverse("presentations:score_home"))

    assert response.status_code == 200
    assert "You are not on the panel of any room" in response.content.decode()


@pytest.mark.parametrize("returned", [0, 2])
def test_the_polled_status_reads_a_fixed_number_of_queries(
    world, returned, django_assert_num_queries
):
    member = world.panel_a[1]
    for slot in world.slots_a[1 : 1 + returned]:
        PresentationSheet.objects.create(
            slot=slot, expert=member, state=SheetState.RETURNED, items=[{"position": 1}]
        )
    client = client_for(member)
    url = reverse("presentations:score_status", args=[world.room_a.pk])
    url += f"?slot={world.slots_a[0].pk}"

    with django_assert_num_queries(6):
        response = client.get(url)

    assert response.content.decode().count("Correct it") == returned
