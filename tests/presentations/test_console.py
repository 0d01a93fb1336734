"""The room console: the server-kept stage timer, the order, the next team, the PPT, access."""

from __future__ import annotations

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.core.errors import ServiceError
from banzu.presentations import live
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PresentationSheet, Room, Slot, TimerMark
from banzu.presentations.timer import EventKind
from tests.conftest import client_for
from tests.presentations.conftest import build_event

T0 = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def console_url(room: Room) -> str:
    return reverse("presentations:console", args=[room.pk])


def submit_all(slot: Slot, experts) -> None:
    for user in experts:
        PresentationSheet.objects.create(
            slot=slot, expert=user, state=SheetState.SUBMITTED, total="16.0"
        )


# --- The timer, kept on the server ----------------------------------------------------------


def test_timer_start_pause_resume_reads_the_same_after_a_reload(world):
    slot, secretary = world.slots_a[0], world.secretary_a
    live.timer_event(slot=slot, kind=EventKind.START, by=secretary, now=at(0))
    live.timer_event(slot=slot, kind=EventKind.PAUSE, by=secretary, now=at(100))
    live.timer_event(slot=slot, kind=EventKind.RESUME, by=secretary, now=at(160))

    # A fresh read (another device, a restarted server) from the stored marks only.
    reloaded = Slot.objects.get(pk=slot.pk)
    view = live.timer_view(reloaded, world.event, at(700))

    assert view is not None
    assert (view.elapsed_ms, view.running, view.reading.display) == (640_000, True, "01:20")
    assert view.reading.colour == "amber"
    assert [m.kind for m in TimerMark.objects.filter(slot=slot)] == ["start", "pause", "resume"]
    assert view.allowed == frozenset({"pause", "stop"})


def test_console_page_shows_the_same_time_on_every_load(world):
    # A fake clock near the real one (a session signed in now must stay valid).
    start = timezone.now().replace(microsecond=0)
    slot = world.slots_a[0]
    client = client_for(world.secretary_a)
    with mock.patch("django.utils.timezone.now", return_value=start):
        client.post(reverse("presentations:console_timer", args=[world.room_a.pk, "start"]))
    pages = []
    for _ in range(2):
        later = start + dt.timedelta(seconds=725)
        with mock.patch("django.utils.timezone.now", return_value=later):
            pages.append(client.get(console_url(world.room_a)).content.decode())

    assert TimerMark.objects.get(slot=slot).at == start
    for page in pages:
        assert 'data-elapsed-ms="725000"' in page
        assert '<span class="timer-display">02:55</span>' in page
        assert "timer-red" in page


def test_timer_refuses_a_pause_before_the_start_and_journals_it(world):
    slot = world.slots_a[0]

    with pytest.raises(ServiceError) as refused:
        live.timer_event(slot=slot, kind=EventKind.PAUSE, by=world.secretary_a, now=at(5))

    assert refused.value.code == "not_started"
    assert TimerMark.objects.filter(slot=slot).count() == 0
    entry = AuditEntry.objects.get(action="presentations.timer_refused")
    assert entry.data == {"kind": "pause", "code": "not_started"}
    assert entry.actor_username == "secretary_a"


@pytest.mark.parametrize(
    ("moves", "refused", "code"),
    [
        ([EventKind.START], EventKind.START, "already_started"),
        ([EventKind.START], EventKind.RESUME, "not_paused"),
        ([EventKind.START, EventKind.PAUSE], EventKind.PAUSE, "not_running"),
        ([EventKind.START, EventKind.STOP], EventKind.RESUME, "stopped"),
        ([], EventKind.STOP, "not_started"),
    ],
)
def test_timer_refusals_carry_the_cores_code(world, moves, refused, code):
    slot = world.slots_a[0]
    for second, kind in enumerate(moves):
        live.timer_event(slot=slot, kind=kind, by=world.secretary_a, now=at(second))

    with pytest.raises(ServiceError) as error:
        live.timer_event(slot=slot, kind=refused, by=world.secretary_a, now=at(30))

    assert error.value.code == code
    assert TimerMark.objects.filter(slot=slot).count() == len(moves)


def test_timer_refuses_a_mark_earlier_than_the_last(world):
    slot = world.slots_a[0]
    live.timer_event(slot=slot, kind=EventKind.START, by=world.secretary_a, now=at(10))

    with pytest.raises(ServiceError) as error:
        live.timer_event(slot=slot, kind=EventKind.PAUSE, by=world.secretary_a, now=at(9))

    assert error.value.code == "time_went_back"


def test_timer_of_a_waiting_team_is_refused(world):
    with pytest.raises(ServiceError) as error:
        live.timer_event(
            slot=world.slots_a[1], kind=EventKind.START, by=world.secretary_a, now=at(0)
        )

    assert error.value.code == "not_presenting"


def test_console_timer_refusal_is_shown_and_changes_nothing(world):
    client = client_for(world.secretary_a)

    response = client.post(
        reverse("presentations:console_timer", args=[world.room_a.pk, "resume"]), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == ["The timer has not been started."]
    assert TimerMark.objects.count() == 0


# --- The order --------------------------------------------------------------------------------


def test_move_to_end_keeps_the_drawn_position(world):
    second = world.slots_a[1]

    live.move_to_end(slot=second, by=world.secretary_a)

    second.refresh_from_db()
    assert (second.position, second.drawn_position) == (4, 2)
    order = [s.pk for s in world.room_a.slots.order_by("position")]
    assert order == [world.slots_a[0].pk, world.slots_a[2].pk, second.pk]
    entry = AuditEntry.objects.get(action="presentations.moved_to_end")
    assert entry.data == {"from": 2, "to": 4, "drawn": 2}


def test_move_to_end_refuses_the_team_on_stage(world):
    with pytest.raises(ServiceError) as error:
        live.move_to_end(slot=world.slots_a[0], by=world.secretary_a)

    assert error.value.code == "not_waiting"


def test_mark_absent_needs_a_reason_and_keeps_it(world):
    waiting = world.slots_a[2]
    with pytest.raises(ServiceError) as error:
        live.mark_absent(slot=waiting, by=world.secretary_a, reason=" ")
    assert error.value.code == "reason"

    live.mark_absent(slot=waiting, by=world.secretary_a, reason="车辆故障，未能到场")

    waiting.refresh_from_db()
    assert (waiting.state, waiting.absent_reason, waiting.score) == (
        SlotState.ABSENT,
        "车辆故障，未能到场",
        None,
    )
    assert AuditEntry.objects.filter(action="presentations.slot.absent").count() == 1


def test_next_is_refused_while_sheets_are_missing(world):
    submit_all(world.slots_a[0], world.panel_a[:3])

    with pytest.raises(ServiceError) as error:
        live.open_next(room=world.room_a, by=world.secretary_a, now=at(900))

    assert error.value.code == "sheets_missing"
    assert "评委甲4、评委甲5" in error.value.message
    assert Slot.objects.get(pk=world.slots_a[0].pk).state == SlotState.PRESENTING


def test_next_with_confirmation_needs_a_reason(world):
    with pytest.raises(ServiceError) as error:
        live.open_next(room=world.room_a, by=world.secretary_a, confirm=True, now=at(900))

    assert error.value.code == "reason"


def test_next_finishes_the_team_and_opens_the_next(world):
    first, second = world.slots_a[0], world.slots_a[1]
    live.timer_event(slot=first, kind=EventKind.START, by=world.secretary_a, now=at(0))
    submit_all(first, world.panel_a)

    opened = live.open_next(room=world.room_a, by=world.secretary_a, now=at(900))

    first.refresh_from_db()
    world.room_a.refresh_from_db()
    assert opened is not None
    assert opened.pk == second.pk
    assert (first.state, first.finished_at) == (SlotState.DONE, at(900))
    assert (opened.state, opened.opened_at) == (SlotState.PRESENTING, at(900))
    assert world.room_a.current_id == second.pk
    assert [m.kind for m in first.timer_marks.all()] == ["start", "stop"]


def test_first_opening_starts_a_drawn_room(edition):
    world = build_event(edition, running=False)

    opened = live.open_next(room=world.room_a, by=world.secretary_a, now=at(0))

    world.room_a.refresh_from_db()
    assert world.room_a.state == RoomState.RUNNING
    assert opened is not None
    assert opened.pk == world.slots_a[0].pk
    assert AuditEntry.objects.filter(action="presentations.room.opened").count() == 1


def test_next_after_the_last_team_leaves_it_current_and_done(world):
    for slot in world.slots_a:
        submit_all(slot, world.panel_a)
    live.open_next(room=world.room_a, by=world.secretary_a, now=at(900))
    live.open_next(room=world.room_a, by=world.secretary_a, now=at(1800))

    opened = live.open_next(room=world.room_a, by=world.secretary_a, now=at(2700))

    world.room_a.refresh_from_db()
    assert opened is None
    assert world.room_a.current_id == world.slots_a[2].pk
    assert Slot.objects.get(pk=world.slots_a[2].pk).state == SlotState.DONE


def test_console_shows_the_panel_and_who_has_submitted(world):
    submit_all(world.slots_a[0], world.panel_a[:2])

    page = client_for(world.secretary_a).get(console_url(world.room_a)).content.decode()

    assert "Sheets: 2 of 5 submitted" in page
    assert page.count('class="sheet-in"') == 2
    assert page.count('class="sheet-out"') == 3
    assert reverse("presentations:screen", args=[world.room_a.screen_token]) in page
    assert f"/event/rooms/{world.room_a.pk}/score/" in page
    assert "<svg" in page


# --- The PPT ------------------------------------------------------------------------------


@pytest.fixture
def ppt(world) -> Document:
    content = b"PK\x03\x04 the registered presentation"
    temp = filestore.write_temp([content])
    stored = filestore.commit_temp(temp)
    application = world.slots_a[0].application
    return Document.objects.create(
        application=application,
        kind=DocumentKind.PRESENTATION,
        original_name="钢筋班发布.pptx",
        stored_name=stored,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=application.created_by,
    )


def test_console_streams_the_registered_ppt_and_shows_its_hash(world, ppt):
    client = client_for(world.secretary_a)
    page = client.get(console_url(world.room_a)).content.decode()
    url = reverse("presentations:console_presentation", args=[world.room_a.pk, world.slots_a[0].pk])

    response = client.get(url)

    assert ppt.sha256 in page
    assert url in page
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == ppt.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    entry = AuditEntry.objects.get(action="document.download")
    assert (entry.actor_username, entry.data["document"]) == ("secretary_a", ppt.pk)


def test_the_ppt_of_another_rooms_team_is_404(world, ppt):
    client = client_for(world.secretary_a)
    url = reverse("presentations:console_presentation", args=[world.room_a.pk, world.slots_b[0].pk])

    assert client.get(url).status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert denied.data == {
        "object": "presentation slot",
        "id": str(world.slots_b[0].pk),
        "code": "404",
    }


# --- Access ---------------------------------------------------------------------------------


def test_secretary_b_gets_404_on_room_as_console_journalled(world):
    response = client_for(world.secretary_b).get(console_url(world.room_a))

    assert response.status_code == 404
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor_username, denied.data) == (
        "secretary_b",
        {"object": "presentation room", "id": str(world.room_a.pk), "code": "404"},
    )


def test_secretary_b_cannot_move_room_as_timer(world):
    url = reverse("presentations:console_timer", args=[world.room_a.pk, "start"])

    assert client_for(world.secretary_b).post(url).status_code == 404
    assert TimerMark.objects.count() == 0


@pytest.mark.parametrize("who", ["chair", "panel", "expert_b", "applicant"])
def test_experts_and_applicants_get_404_on_the_console(world, applicant_a, who):
    user = {
        "chair": world.panel_a[0],
        "panel": world.panel_a[3],
        "expert_b": world.expert_b,
        "applicant": applicant_a,
    }[who]

    response = client_for(user).get(console_url(world.room_a))

    assert response.status_code == 404
    assert AuditEntry.objects.filter(action="access.denied").count() == 1


def test_admin_reaches_every_console(world, admin_user):
    client = client_for(admin_user)

    pages = [client.get(console_url(room)) for room in (world.room_a, world.room_b)]

    assert [p.context["room"].pk for p in pages] == [world.room_a.pk, world.room_b.pk]


def test_anonymous_goes_to_login(world):
    response = client_for(None).get(console_url(world.room_a))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_console_status_partial_is_cheap(world, django_assert_max_num_queries):
    submit_all(world.slots_a[0], world.panel_a[:2])
    client = client_for(world.secretary_a)
    url = reverse("presentations:console_status", args=[world.room_a.pk])

    with django_assert_max_num_queries(8):
        response = client.get(url)

    assert "Sheets: 2 of 5 submitted" in response.content.decode()
