"""The admin's results page of the event: each room's teams with their scores, the sheets
counted and dropped, recused members, absent teams, missing sheets; fairness across rooms; the
Excel of every counted sheet; who may see it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.audit.models import AuditEntry
from banzu.presentations import selectors
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal, Room, Slot
from banzu.presentations.results import Mark, event_results
from tests.conftest import client_for
from tests.presentations.conftest import EventWorld, make_expert, scored_application

D = Decimal
URL = "/event/results/"
MAXIMA = (D(6), D(4), D(4), D(3), D(3))  # the 2026 presentation sheet's five items


def items_for(total: Decimal) -> list[dict[str, object]]:
    """Item points adding up to `total`: the shortfall from 20 taken from the first items."""
    short = D(20) - total
    items = []
    for position, maximum in enumerate(MAXIMA, start=1):
        taken = min(short, maximum)
        short -= taken
        items.append({"position": position, "points": str(maximum - taken)})
    return items


def sheet(slot: Slot, expert, total: str, *, state=SheetState.SUBMITTED, comment: str = ""):
    return PresentationSheet.objects.create(
        slot=slot,
        expert=expert,
        total=D(total),
        items=items_for(D(total)),
        state=state,
        comment=comment,
    )


def recuse(room: Room, expert, slot: Slot, reason: str = "同一单位") -> Recusal:
    member = PanelMember.objects.get(room=room, expert=expert)
    return Recusal.objects.create(member=member, slot=slot, reason=reason)


@dataclass
class Scored:
    world: EventWorld
    panel_b: list  # expert_b, b2, b3


def score_world(world: EventWorld) -> Scored:
    """Room A: team 1 five sheets (trimmed), team 2 four sheets with panel_a[4] recused, team 3
    absent. Room B (three members): team 1 three sheets, team 2 two sheets and one returned,
    team 3 waiting."""
    a1, a2, a3 = world.slots_a
    p = world.panel_a
    for user, total in zip(p, ["16.5", "17.0", "18.0", "15.5", "19.0"], strict=True):
        sheet(a1, user, total, comment=f"{user.full_name}的评语")
    recuse(world.room_a, p[4], a2)
    sheet(a2, p[4], "20.0")  # a recused member's sheet never counts
    for user, total in zip(p[:4], ["16.0", "17.5", "18.5", "15.0"], strict=True):
        sheet(a2, user, total)
    sheet(a3, p[0], "12.0")  # typed before the team was marked absent: never counts
    Slot.objects.filter(pk=a1.pk).update(state=SlotState.DONE)
    Slot.objects.filter(pk=a2.pk).update(state=SlotState.DONE)
    Slot.objects.filter(pk=a3.pk).update(state=SlotState.ABSENT, absent_reason="主讲人因病未到场")

    b2 = make_expert("panel_b2", "评委乙2")
    b3 = make_expert("panel_b3", "评委乙3")
    for user in (b2, b3):
        PanelMember.objects.create(room=world.room_b, expert=user)
    b1_, b2_, _waiting = world.slots_b
    for user, total in zip((world.expert_b, b2, b3), ["15.0", "15.5", "14.5"], strict=True):
        sheet(b1_, user, total)
    sheet(b2_, world.expert_b, "14.0")
    sheet(b2_, b2, "15.0")
    sheet(b2_, b3, "13.0", state=SheetState.RETURNED)
    Room.objects.filter(pk=world.room_b.pk).update(state=RoomState.RUNNING)
    Slot.objects.filter(pk__in=[b1_.pk, b2_.pk]).update(state=SlotState.DONE)
    return Scored(world=world, panel_b=[world.expert_b, b2, b3])


@pytest.fixture
def scored(world) -> Scored:
    return score_world(world)


# --- The reads --------------------------------------------------------------------------------


def test_room_a_scores_trimmed_recused_and_absent(scored):
    world = scored.world
    found = event_results(world.event)
    room = found.rooms[0]

    assert room.room == world.room_a
    assert [m.expert for m in room.panel] == world.panel_a  # chair first, then by name
    one, two, three = room.teams
    # 16.5 17.0 18.0 15.5 19.0: five sheets, trimmed from 5 → drop 15.5 and 19.0 → 51.5 / 3
    assert one.score.score == D("17.17")
    assert one.score.exact == Fraction(103, 6)
    assert [cell.mark for cell in one.cells] == [
        Mark.COUNTED,
        Mark.COUNTED,
        Mark.COUNTED,
        Mark.DROPPED,
        Mark.DROPPED,
    ]
    assert (one.submitted, one.expected, one.missing) == (5, 5, 0)
    # four scorers left: fewer than five, so the plain mean 67 / 4
    assert two.score.score == D("16.75")
    assert [cell.mark for cell in two.cells][4] == Mark.RECUSED
    assert two.cells[4].recusal_reason == "同一单位"
    assert (two.submitted, two.expected, two.missing) == (4, 4, 0)
    assert three.absent is True
    assert three.score.score is None
    assert three.slot.absent_reason == "主讲人因病未到场"
    assert (room.scored, room.absent, room.missing) == (2, 1, 0)


def test_room_b_missing_and_returned_sheets(scored):
    room = event_results(scored.world.event).rooms[1]

    one, two, three = room.teams
    assert one.score.score == D("15.00")
    assert two.score.score == D("14.50")
    assert [cell.mark for cell in two.cells] == [Mark.COUNTED, Mark.COUNTED, Mark.RETURNED]
    assert (two.submitted, two.expected, two.missing) == (2, 3, 1)
    # the third team has not presented: nothing is missing yet
    assert (three.slot.state, three.score.score, three.missing) == (SlotState.WAITING, None, 0)
    assert room.missing == 1


def test_every_team_score_is_the_shared_selector_figure(scored):
    world = scored.world
    found = event_results(world.event)

    for room in found.rooms:
        for row in room.teams:
            if row.absent:
                continue
            shared = selectors.slot_score(row.slot, world.event)
            assert (row.score, row.submitted, row.expected) == (
                shared.score,
                shared.submitted,
                shared.expected,
            )


def test_fairness_room_means_spreads_and_the_flag(scored):
    found = event_results(scored.world.event)
    room_a, room_b = found.rooms

    # A: 17.17 and 16.75 → mean 16.96, s = 0.42 / √2 = 0.2970 → 0.30
    assert (room_a.spread.n, room_a.spread.mean, room_a.spread.sd) == (2, D("16.96"), D("0.30"))
    assert (room_a.spread.low, room_a.spread.high) == (D("16.75"), D("17.17"))
    # B: 15.00 and 14.50 → mean 14.75, s = 0.5 / √2 = 0.3536 → 0.35
    assert (room_b.spread.n, room_b.spread.mean, room_b.spread.sd) == (2, D("14.75"), D("0.35"))
    # event: 63.42 / 4 = 15.855 → 15.86; s² = 5.0973 / 3 = 1.6991, s = 1.3035 → 1.30
    assert (found.spread.n, found.spread.mean, found.spread.sd) == (4, D("15.86"), D("1.30"))
    assert found.spread.variance == Fraction(16991, 10000)
    # 16.96 − 15.855 = +1.105 → +1.11; 14.75 − 15.855 = −1.105 → −1.11 (half away from zero)
    assert (room_a.from_event, room_b.from_event) == (D("1.11"), D("-1.11"))
    # 16.96 − 14.75 = 2.21 > 1.50 (the event's default limit)
    assert found.gap_rooms() == [(scored.world.room_a, scored.world.room_b, D("2.21"))]


def test_no_flag_when_the_limit_is_above_the_difference(scored):
    event = scored.world.event
    event.fairness_flag = D("2.21")
    event.save()

    assert event_results(event).gaps == []


def test_leniency_within_room_a_exact(scored):
    room = event_results(scored.world.event).rooms[0]
    by_name = {row.member.expert.full_name: row.leniency for row in room.leniency}

    # team 1 (sum 86): 甲1 16.5 − 69.5/4 = −0.875, 甲2 17 − 69/4 = −0.25, 甲3 18 − 68/4 = +1,
    #   甲4 15.5 − 70.5/4 = −2.125, 甲5 19 − 67/4 = +2.25
    # team 2 (sum 67, 甲5 recused): 甲1 16 − 17 = −1, 甲2 17.5 − 16.5 = +1,
    #   甲3 18.5 − 48.5/3 = +7/3, 甲4 15 − 52/3 = −7/3
    assert {name: (found.n, found.exact) for name, found in by_name.items()} == {
        "评委甲1": (2, Fraction(-15, 16)),
        "评委甲2": (2, Fraction(3, 8)),
        "评委甲3": (2, Fraction(5, 3)),
        "评委甲4": (2, Fraction(-107, 48)),
        "评委甲5": (1, Fraction(9, 4)),
    }
    assert [row.member.expert.full_name for row in room.leniency] == [
        "评委甲5",
        "评委甲3",
        "评委甲2",
        "评委甲1",
        "评委甲4",
    ]
    assert [row.leniency.mean_deviation for row in room.leniency] == [
        D("2.25"),
        D("1.67"),
        D("0.38"),
        D("-0.94"),
        D("-2.23"),
    ]


# --- The page -----------------------------------------------------------------------------------


def test_admin_sees_every_room_with_scores_marks_and_fairness(scored, admin_user):
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    found = response.context["results"]
    assert [room.room.name for room in found.rooms] == ["第一分会场", "第二分会场"]
    html = response.content.decode()
    assert '<strong class="score">17.17</strong>' in html
    assert "<del>15.5</del>" in html
    assert "<del>19</del>" in html
    assert 'title="同一单位">recused</span>' in html
    assert "<strong>Absent: 主讲人因病未到场</strong> · no presentation score" in html
    assert '<span class="cell-mark cell-returned">returned</span>' in html
    assert "1 missing" in html
    # room B's second team lacks a sheet: its score is shown as provisional, not as a result
    provisional = '<span class="score muted">14.50</span><br><span class="muted small">'
    assert provisional + "provisional: sheets missing</span>" in html
    assert "第一分会场 scores 2.21 points above 第二分会场 on average (more than 1.50)." in html
    assert "nothing is adjusted automatically" in html
    assert "+1.67" in html
    assert "-2.23" in html


def test_admin_page_without_an_event_says_so(edition, admin_user):
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    assert response.context["results"] is None
    assert "This edition has no presentation event yet." in response.content.decode()


@pytest.mark.parametrize("who", ["secretary_a", "chair", "applicant_a"])
def test_nobody_but_the_admin_reaches_the_results(scored, applicant_a, who):
    world = scored.world
    user = {
        "secretary_a": world.secretary_a,
        "chair": world.panel_a[0],
        "applicant_a": applicant_a,
    }[who]
    before = AuditEntry.objects.filter(action="access.denied").count()

    response = client_for(user).get(URL)

    assert response.status_code == 404
    denied = AuditEntry.objects.filter(action="access.denied").order_by("-pk")
    assert denied.count() == before + 1
    entry = denied.first()
    assert entry.data == {"object": "presentation results", "id": "", "code": "404"}
    assert entry.actor_id == user.pk


def test_results_page_queries_do_not_grow_with_rooms(
    scored, admin_user, edition, django_assert_num_queries
):
    client = client_for(admin_user)
    client.get(URL)  # warm the session and the edition switcher
    with django_assert_num_queries(QUERIES):
        client.get(URL)
    _third_room(scored.world, edition)
    with django_assert_num_queries(QUERIES):
        response = client.get(URL)
    assert len(response.context["results"].rooms) == 3


QUERIES = 11  # with the event tabs' room list (one query, whatever the rooms)


def _third_room(world: EventWorld, edition) -> Room:
    room = Room.objects.create(
        event=world.event, position=3, name="第三分会场", starts_at=world.room_a.starts_at
    )
    experts = [make_expert(f"panel_c{i}", f"评委丙{i}") for i in range(1, 4)]
    for user in experts:
        PanelMember.objects.create(room=room, expert=user)
    for position in (1, 2):
        slot = Slot.objects.create(
            event=world.event,
            application=scored_application(20 + position, edition=edition),
            room=room,
            position=position,
            state=SlotState.DONE,
        )
        for user in experts:
            sheet(slot, user, "16.0")
        recuse(room, experts[2], slot)
    return room


# --- Every counted sheet in Excel -------------------------------------------------------------


def test_sheets_excel_lists_every_counted_sheet_with_its_items(scored, admin_user):
    response = client_for(admin_user).get(reverse("presentations:results_sheets"))

    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet_ = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet_.iter_rows(values_only=True))
    header = rows[3]
    assert header[:7] == (
        "序号",
        "分会场",
        "出场顺序",
        "推荐编号",
        "班组名称",
        "单位名称",
        "评审专家",
    )
    assert header[7:12] == (
        "1. 内容与典型经验（6）",
        "2. 成果与数据（4）",
        "3. 表达与逻辑（4）",
        "4. 演示材料（3）",
        "5. 时间控制与答辩（3）",
    )
    assert header[12:] == ("总分", "去掉", "评语", "提交时间", "代录入")
    body = rows[4:]
    # room A: 5 + 4 (the recused member's and the absent team's sheets left out); room B: 3 + 2
    assert len(body) == 14
    first = body[0]
    assert first[1:3] == ("第一分会场", 1)
    assert first[6] == "评委甲1"
    assert first[7:14] == (2.5, 4, 4, 3, 3, 16.5, "否")
    assert first[14] == "评委甲1的评语"
    dropped = [(row[6], row[12]) for row in body[:5] if row[13] == "是"]
    assert dropped == [("评委甲4", 15.5), ("评委甲5", 19)]
    assert sheet_.freeze_panes == "A5"
    entry = AuditEntry.objects.filter(action="export.presentation_sheets").get()
    assert (entry.actor_id, entry.data) == (admin_user.pk, {"format": "xlsx", "sheets": 14})


def test_secretary_cannot_export_the_sheets(scored):
    before = AuditEntry.objects.filter(action="access.denied").count()

    response = client_for(scored.world.secretary_a).get(reverse("presentations:results_sheets"))

    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == before + 1
    assert not AuditEntry.objects.filter(action="export.presentation_sheets").exists()


def test_review_results_page_links_to_the_event_results(edition, admin_user):
    response = client_for(admin_user).get(reverse("review:results"))

    assert '<a href="/event/results/">Presentation event results</a>' in response.content.decode()
