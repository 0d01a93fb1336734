"""The recorded draw as stored: the room's order from a seed, its record read back and re-run,
drawing again with a reason (earlier records kept), the mails, and `manage.py verify_draw`."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.presentations import draw, setup, setup_draw
from banzu.presentations.enums import RoomState
from banzu.presentations.models import DrawRecord, Room, Slot
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.presentations.test_setup import fresh_event

SEED = hashlib.sha256(b"banzu stored draw").hexdigest()


@pytest.fixture
def distributed(edition, admin_user, applicant_a):
    """Two rooms in set-up with three teams each; team 1 (room one) is applicant A's."""
    fresh = fresh_event(edition, rooms=2, teams=6)
    first = fresh.slots[0].application.team
    first.enterprise = applicant_a.enterprise
    first.save()
    setup.distribute(event=fresh.event, by=admin_user)
    return fresh


def order_of(room) -> list[int]:
    return list(
        Slot.objects.filter(room=room).order_by("position").values_list("application_id", flat=True)
    )


def test_drawing_a_room_records_the_seed_and_sets_the_order(distributed, admin_user):
    room = distributed.rooms[0]
    teams = setup_draw.room_teams(room)
    expected = draw.draw(teams, seed=SEED)

    record = setup_draw.draw_room(room=room, by=admin_user, seed=SEED)

    room.refresh_from_db()
    entry = AuditEntry.objects.get(action="presentations.room.drawn")
    assert (record.number, record.algorithm, record.seed, record.input_sha256, record.reason) == (
        1,
        "sha256-fisher-yates-v1",
        SEED,
        expected.input_sha256,
        "",
    )
    assert draw.from_json(record.record) == expected
    assert room.state == RoomState.DRAWN
    assert order_of(room) == list(expected.order)
    assert list(
        Slot.objects.filter(room=room).order_by("position").values_list("drawn_position", flat=True)
    ) == [1, 2, 3]
    assert (entry.actor_id, entry.data["seed"], entry.data["input_sha256"], entry.data["draw"]) == (
        admin_user.pk,
        SEED,
        expected.input_sha256,
        1,
    )


def test_the_stored_record_reproduces_for_many_seeds(distributed, admin_user):
    """The property on stored records: the same seed and inputs give the same order, and the
    order is a permutation of the room's teams (64 seeds, drawn and taken back each time)."""
    room = distributed.rooms[0]
    ids = sorted(team.id for team in setup_draw.room_teams(room))
    orders = set()
    for k in range(64):
        seed = hashlib.sha256(f"seed {k}".encode()).hexdigest()
        record = setup_draw.draw_room(room=room, by=admin_user, seed=seed, reason=f"run {k}")
        stored = draw.from_json(DrawRecord.objects.get(pk=record.pk).record)
        again = draw.draw(setup_draw.room_teams(room), seed=seed)

        assert (stored, sorted(stored.order), order_of(room)) == (again, ids, list(again.order))
        draw.verify(stored, setup_draw.room_teams(room))
        orders.add(stored.order)
        setup_draw.undraw_room(room=Room.objects.get(pk=room.pk), by=admin_user, reason="next")
    assert len(orders) == 6  # every order of three teams came up
    assert DrawRecord.objects.filter(room=room).count() == 64


def test_drawing_again_needs_a_reason_and_keeps_the_earlier_record(distributed, admin_user):
    room = distributed.rooms[0]
    first = setup_draw.draw_room(room=room, by=admin_user, seed=SEED)

    with pytest.raises(ServiceError) as no_reason:
        setup_draw.redraw_room(room=room, by=admin_user, reason="  ")
    second = setup_draw.redraw_room(
        room=Room.objects.get(pk=room.pk), by=admin_user, reason="一支班组推荐编号录入有误"
    )

    assert no_reason.value.message == "Please give a reason for drawing again."
    assert list(DrawRecord.objects.filter(room=room).values_list("number", "reason")) == [
        (1, ""),
        (2, "一支班组推荐编号录入有误"),
    ]
    assert (first.seed != second.seed, Room.objects.get(pk=room.pk).state) == (
        True,
        RoomState.DRAWN,
    )
    assert list(
        AuditEntry.objects.filter(target_id=room.pk, action__startswith="presentations.room.")
        .order_by("seq")
        .values_list("action", "data__reason")
    ) == [
        ("presentations.room.drawn", ""),
        ("presentations.room.undrawn", "一支班组推荐编号录入有误"),
        ("presentations.room.drawn", "一支班组推荐编号录入有误"),
    ]


def test_a_room_drawn_before_and_taken_back_needs_a_reason_to_draw(distributed, admin_user):
    room = distributed.rooms[0]
    setup_draw.draw_room(room=room, by=admin_user, seed=SEED)
    setup_draw.undraw_room(room=Room.objects.get(pk=room.pk), by=admin_user, reason="换队")

    with pytest.raises(ServiceError) as refused:
        setup_draw.draw_room(room=Room.objects.get(pk=room.pk), by=admin_user)

    assert refused.value.message == "第一分会场 was drawn before: give a reason for drawing again."
    assert list(Slot.objects.filter(room=room).values_list("position", flat=True)) == [None] * 3


def test_a_running_room_cannot_be_drawn_again(distributed, admin_user):
    room = distributed.rooms[0]
    setup_draw.draw_room(room=room, by=admin_user, seed=SEED)
    Room.objects.filter(pk=room.pk).update(state=RoomState.RUNNING)

    with pytest.raises(ServiceError) as redraw:
        setup_draw.redraw_room(room=Room.objects.get(pk=room.pk), by=admin_user, reason="x")
    with pytest.raises(ServiceError) as undraw:
        setup_draw.undraw_room(room=Room.objects.get(pk=room.pk), by=admin_user, reason="x")

    assert redraw.value.message == "Only a drawn room that has not started can be drawn again."
    assert undraw.value.message == "This step is not possible in the current state."
    assert DrawRecord.objects.filter(room=room).count() == 1


def test_only_the_admin_draws(distributed):
    secretary = UserFactory(username="sec_x", role="secretary")
    room = distributed.rooms[0]
    Room.objects.filter(pk=room.pk).update(secretary=secretary)

    with pytest.raises(ServiceError) as refused:
        setup_draw.draw_room(room=Room.objects.get(pk=room.pk), by=secretary)

    assert refused.value.code == "forbidden"
    assert (Room.objects.get(pk=room.pk).state, DrawRecord.objects.count()) == (
        RoomState.SETUP,
        0,
    )
    assert AuditEntry.objects.filter(action="presentations.room.transition_refused").count() == 1


def test_after_the_draw_each_team_is_mailed_its_room_position_and_time(
    distributed, admin_user, applicant_a, django_capture_on_commit_callbacks
):
    room = distributed.rooms[0]
    Room.objects.filter(pk=room.pk).update(place="A厅")

    with django_capture_on_commit_callbacks(execute=True):
        setup_draw.draw_room(room=Room.objects.get(pk=room.pk), by=admin_user, seed=SEED)

    position = Slot.objects.get(pk=distributed.slots[0].pk).position
    mine = [m for m in mail.outbox if m.to == [applicant_a.email]]
    minutes = 17 * (position - 1)
    when = f"2026-12-10 {9 + minutes // 60:02d}:{minutes % 60:02d}"
    team = distributed.slots[0].application.team.name
    assert len(mail.outbox) == 3
    assert [m.subject for m in mine] == [
        f"Presentation order drawn: {team}, number {position} in 第一分会场"
    ]
    assert (
        f"Room: 第一分会场, A厅 (杭州国际博览中心)\nPosition: {position}\n"
        f"Planned start: about {when}\n"
    ) in mine[0].body
    assert AuditEntry.objects.get(action="presentations.draw_mailed").data == {"teams": 3}


# --- verify_draw ------------------------------------------------------------------------------


def run_verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_draw", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_verify_draw_prints_ok_with_the_seed_and_hash(distributed, admin_user):
    first, second = distributed.rooms
    one = setup_draw.draw_room(room=first, by=admin_user, seed=SEED)
    two = setup_draw.draw_room(room=second, by=admin_user, seed="00ff")

    output = run_verify()

    assert output.splitlines() == [
        f"OK 2026 第一分会场 (room {first.pk}): draw 1, sha256-fisher-yates-v1, seed {SEED}, "
        f"input sha256 {one.input_sha256}",
        f"OK 2026 第二分会场 (room {second.pk}): draw 1, sha256-fisher-yates-v1, seed 00ff, "
        f"input sha256 {two.input_sha256}",
    ]


def test_verify_draw_fails_loudly_when_a_team_was_added(distributed, admin_user):
    first, second = distributed.rooms
    setup_draw.draw_room(room=first, by=admin_user, seed=SEED)
    stray = Slot.objects.filter(room=second).order_by("application_id").first()
    Slot.objects.filter(pk=stray.pk).update(room=first)  # behind the services' back

    with pytest.raises(CommandError) as failed:
        run_verify("--room", str(first.pk))

    message = str(failed.value)
    assert message.startswith(
        f"1 of 1 recorded draws do not reproduce:\n2026 第一分会场 (room {first.pk}): "
        "input_sha256: recorded "
    )
    assert message.endswith(f"(added [{stray.application_id}])")


def test_verify_draw_fails_when_a_recommendation_number_changed(distributed, admin_user):
    room = distributed.rooms[0]
    setup_draw.draw_room(room=room, by=admin_user, seed=SEED)
    application = distributed.slots[0].application
    application.recommendation_number = "杭-2026-099"
    application.save(update_fields=["recommendation_number"])

    with pytest.raises(CommandError) as failed:
        run_verify("--room", str(room.pk))

    assert str(failed.value).endswith(f"(changed number [{application.pk}])")


def test_verify_draw_fails_when_a_drawn_position_was_changed(distributed, admin_user):
    room = distributed.rooms[0]
    setup_draw.draw_room(room=room, by=admin_user, seed=SEED)
    first, second = Slot.objects.filter(room=room).order_by("drawn_position")[:2]
    Slot.objects.filter(pk=first.pk).update(drawn_position=2)
    Slot.objects.filter(pk=second.pk).update(drawn_position=1)

    with pytest.raises(CommandError) as failed:
        run_verify()

    assert str(failed.value).endswith(
        f"drawn_position: draw 1: the drawn positions of applications "
        f"{sorted([first.application_id, second.application_id])} differ from the recorded order"
    )


def test_verify_draw_refuses_a_room_that_is_not_drawn(distributed):
    room = distributed.rooms[0]

    with pytest.raises(CommandError) as failed:
        run_verify("--room", str(room.pk))

    assert str(failed.value) == f"Room {room.pk} (第一分会场) is not drawn."


# --- The draw page ----------------------------------------------------------------------------


def test_the_draw_page_lists_every_record_with_seed_and_hash(distributed, admin_user):
    room = distributed.rooms[0]
    setup_draw.draw_room(room=room, by=admin_user, seed=SEED)
    client = client_for(admin_user)

    response = client.post(
        reverse("presentations:setup_draw_room", args=[room.pk]), {"reason": "复核后重抽"}
    )
    page = client.get(reverse("presentations:setup_draw")).content.decode()

    latest = DrawRecord.objects.get(room=room, number=2)
    assert response.status_code == 302
    assert (latest.reason, SEED in page, latest.seed in page, latest.input_sha256 in page) == (
        "复核后重抽",
        True,
        True,
        True,
    )
    assert "复核后重抽" in page
