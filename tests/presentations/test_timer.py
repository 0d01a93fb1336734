"""The stage timer against a fake clock: plain datetimes, no sleeping."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from banzu.presentations.timer import (
    MOVES,
    REFUSAL_CODES,
    REFUSED,
    Colour,
    EventKind,
    Phase,
    Reading,
    Status,
    TimerError,
    TimerEvent,
    TimerSettings,
    TimerState,
    allowed,
    apply,
    reading,
    replay,
)

T0 = dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)
MS = dt.timedelta(milliseconds=1)


def at(minutes: int = 0, seconds: int = 0, micro: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes, seconds=seconds, microseconds=micro)


def started() -> TimerState:
    return replay([TimerEvent(EventKind.START, T0)])


def test_reading_before_the_start_shows_the_full_presentation_time():
    result = reading(TimerState(), at(5))

    assert result == Reading(
        phase=Phase.NOT_STARTED,
        colour=Colour.NORMAL,
        elapsed=dt.timedelta(0),
        elapsed_seconds=0,
        remaining_seconds=720,
        question_seconds_left=180,
        overtime_seconds=0,
        countdown=True,
    )
    assert result.display == "12:00"


@pytest.mark.parametrize(
    ("now", "phase", "colour", "display"),
    [
        (at(0), Phase.PRESENTING, Colour.NORMAL, "12:00"),
        (at(0, 0, 999_999), Phase.PRESENTING, Colour.NORMAL, "12:00"),
        (at(0, 1), Phase.PRESENTING, Colour.NORMAL, "11:59"),
        (at(9, 59), Phase.PRESENTING, Colour.NORMAL, "02:01"),
        (at(9, 59, 999_999), Phase.PRESENTING, Colour.NORMAL, "02:01"),
        (at(10), Phase.WARNING, Colour.AMBER, "02:00"),
        (at(11, 59), Phase.WARNING, Colour.AMBER, "00:01"),
        (at(11, 59, 999_999), Phase.WARNING, Colour.AMBER, "00:01"),
        (at(12), Phase.QUESTIONS, Colour.RED, "03:00"),
        (at(14, 59, 999_999), Phase.QUESTIONS, Colour.RED, "00:01"),
        (at(15), Phase.OVERTIME, Colour.RED, "+00:00"),
        (at(15, 1), Phase.OVERTIME, Colour.RED, "+00:01"),
        (at(16, 30, 500_000), Phase.OVERTIME, Colour.RED, "+01:30"),
        (at(135, 7), Phase.OVERTIME, Colour.RED, "+120:07"),
    ],
)
def test_reading_at_each_boundary(now, phase, colour, display):
    result = reading(started(), now)

    assert (result.phase, result.colour, result.display) == (phase, colour, display)


def test_reading_at_the_warning_and_the_end_gives_exact_figures():
    state = started()

    warning = reading(state, at(10))
    end = reading(state, at(12))
    over = reading(state, at(15, 1))

    assert (warning.elapsed_seconds, warning.remaining_seconds) == (600, 120)
    assert (warning.question_seconds_left, warning.overtime_seconds) == (180, 0)
    assert (end.elapsed_seconds, end.remaining_seconds, end.question_seconds_left) == (720, 0, 180)
    assert (over.remaining_seconds, over.question_seconds_left) == (0, 0)
    assert (over.overtime_seconds, over.countdown) == (1, False)


def test_reading_keeps_microseconds_exact_over_many_pauses():
    events = [TimerEvent(EventKind.START, T0)]
    moment = T0
    for _ in range(1000):  # 1000 runs of 0.7 s and pauses of 0.3 s: floats would drift
        moment += dt.timedelta(microseconds=700_000)
        events.append(TimerEvent(EventKind.PAUSE, moment))
        moment += dt.timedelta(microseconds=300_000)
        events.append(TimerEvent(EventKind.RESUME, moment))

    result = reading(replay(events), moment)

    assert result.elapsed == dt.timedelta(seconds=700)
    assert (result.elapsed_seconds, result.remaining_seconds) == (700, 20)


def test_reading_excludes_pauses():
    state = replay(
        [
            TimerEvent(EventKind.START, at(0)),
            TimerEvent(EventKind.PAUSE, at(4)),
            TimerEvent(EventKind.RESUME, at(9)),
            TimerEvent(EventKind.PAUSE, at(10)),
            TimerEvent(EventKind.RESUME, at(10, 30)),
        ]
    )

    assert reading(state, at(12)).elapsed == dt.timedelta(minutes=6, seconds=30)
    assert reading(state, at(14)).phase == Phase.PRESENTING
    assert reading(state, at(15, 30)).display == "02:00"
    assert reading(state, at(15, 30)).phase == Phase.WARNING


def test_reading_of_a_paused_timer_stands_still_in_its_colour():
    state = replay([TimerEvent(EventKind.START, at(0)), TimerEvent(EventKind.PAUSE, at(10, 15))])

    first = reading(state, at(10, 15))
    later = reading(state, at(40))

    assert first == later
    assert (later.phase, later.colour, later.display) == (Phase.PAUSED, Colour.AMBER, "01:45")


def test_reading_of_a_stopped_timer_stands_still_in_its_colour():
    state = replay(
        [
            TimerEvent(EventKind.START, at(0)),
            TimerEvent(EventKind.PAUSE, at(5)),
            TimerEvent(EventKind.RESUME, at(6)),
            TimerEvent(EventKind.STOP, at(17, 30)),
        ]
    )

    result = reading(state, at(60))

    assert (result.phase, result.colour, result.display) == (Phase.STOPPED, Colour.RED, "+01:30")
    assert (state.started_at, state.stopped_at) == (at(0), at(17, 30))


def test_reading_stopped_while_paused_keeps_the_time_at_the_pause():
    state = replay(
        [
            TimerEvent(EventKind.START, at(0)),
            TimerEvent(EventKind.PAUSE, at(3)),
            TimerEvent(EventKind.STOP, at(8)),
        ]
    )

    assert reading(state, at(9)).elapsed == dt.timedelta(minutes=3)
    assert reading(state, at(9)).phase == Phase.STOPPED


def test_reading_before_the_last_event_counts_from_that_event():
    state = started()
    paused = apply(state, TimerEvent(EventKind.PAUSE, at(5)))

    assert reading(state, at(0) - MS).elapsed == dt.timedelta(0)
    assert reading(paused, at(4)).elapsed == dt.timedelta(minutes=5)


def test_reading_with_the_edition_settings():
    short = TimerSettings(presentation_minutes=8, question_minutes=0, warning_minutes=1)
    state = started()

    assert reading(state, at(6, 59), short).colour == Colour.NORMAL
    assert reading(state, at(7), short).phase == Phase.WARNING
    assert reading(state, at(8), short).phase == Phase.OVERTIME
    assert reading(state, at(8), short).display == "+00:00"


def test_reading_without_a_warning_goes_from_normal_to_red():
    no_warning = TimerSettings(warning_minutes=0)

    assert reading(started(), at(11, 59, 999_999), no_warning).colour == Colour.NORMAL
    assert reading(started(), at(12), no_warning).colour == Colour.RED


def test_reading_from_a_rebuilt_state_on_another_device_is_identical():
    events = [
        TimerEvent(EventKind.START, at(0, 0, 123_456)),
        TimerEvent(EventKind.PAUSE, at(3, 7, 1)),
        TimerEvent(EventKind.RESUME, at(4, 0, 999_999)),
    ]
    now = at(11, 4, 654_321)
    before = reading(replay(events), now)

    # As stored and read back by a restarted server, and as seen in the venue's time zone.
    shanghai = ZoneInfo("Asia/Shanghai")
    stored = [(event.kind.value, event.at.isoformat()) for event in events]
    rebuilt = replay(
        TimerEvent(EventKind(kind), dt.datetime.fromisoformat(moment).astimezone(shanghai))
        for kind, moment in stored
    )
    after = reading(rebuilt, now.astimezone(shanghai))

    assert after == before
    assert rebuilt == replay(events)
    assert (before.elapsed, before.display) == (
        dt.timedelta(minutes=10, seconds=10, microseconds=530_867),
        "01:50",
    )


def test_moves_and_refusals_cover_every_pair_once():
    pairs = {(status, kind) for status in Status for kind in EventKind}

    assert set(MOVES) | set(REFUSED) == pairs
    assert set(MOVES) & set(REFUSED) == set()
    assert set(REFUSED.values()) <= set(REFUSAL_CODES)


def test_allowed_lists_what_the_console_may_offer():
    paused = apply(started(), TimerEvent(EventKind.PAUSE, at(1)))

    assert allowed(TimerState()) == {EventKind.START}
    assert allowed(started()) == {EventKind.PAUSE, EventKind.STOP}
    assert allowed(paused) == {EventKind.RESUME, EventKind.STOP}
    assert allowed(apply(paused, TimerEvent(EventKind.STOP, at(2)))) == frozenset()


ILLEGAL = [
    ([], EventKind.PAUSE, "not_started"),
    ([], EventKind.RESUME, "not_started"),
    ([], EventKind.STOP, "not_started"),
    ([EventKind.START], EventKind.START, "already_started"),
    ([EventKind.START], EventKind.RESUME, "not_paused"),
    ([EventKind.START, EventKind.PAUSE], EventKind.START, "already_started"),
    ([EventKind.START, EventKind.PAUSE], EventKind.PAUSE, "not_running"),
    ([EventKind.START, EventKind.STOP], EventKind.START, "stopped"),
    ([EventKind.START, EventKind.STOP], EventKind.PAUSE, "stopped"),
    ([EventKind.START, EventKind.STOP], EventKind.RESUME, "stopped"),
    ([EventKind.START, EventKind.STOP], EventKind.STOP, "stopped"),
]


@pytest.mark.parametrize(("before", "kind", "code"), ILLEGAL)
def test_apply_refuses_an_illegal_move_with_its_code(before, kind, code):
    state = replay(TimerEvent(k, at(i)) for i, k in enumerate(before))

    with pytest.raises(TimerError) as refused:
        apply(state, TimerEvent(kind, at(10)))

    assert refused.value.code == code
    assert str(refused.value).startswith(f"{code}: cannot {kind}")


def test_apply_refuses_an_event_earlier_than_the_last():
    state = replay([TimerEvent(EventKind.START, at(0)), TimerEvent(EventKind.PAUSE, at(5))])

    with pytest.raises(TimerError) as refused:
        apply(state, TimerEvent(EventKind.RESUME, at(5) - MS))

    assert refused.value.code == "time_went_back"


def test_apply_takes_an_event_at_the_same_instant_as_the_last():
    state = replay([TimerEvent(EventKind.START, at(0)), TimerEvent(EventKind.PAUSE, at(0))])

    assert state.status == Status.PAUSED
    assert reading(state, at(3)).elapsed == dt.timedelta(0)


def test_apply_refuses_a_naive_time():
    with pytest.raises(TimerError) as refused:
        apply(TimerState(), TimerEvent(EventKind.START, dt.datetime(2026, 5, 20, 9)))

    assert refused.value.code == "naive_time"


def test_reading_refuses_a_naive_now():
    with pytest.raises(TimerError) as refused:
        reading(started(), dt.datetime(2026, 5, 20, 9))

    assert refused.value.code == "naive_time"


def test_apply_does_not_change_the_state_it_refuses():
    state = started()

    with pytest.raises(TimerError):
        apply(state, TimerEvent(EventKind.START, at(1)))

    assert state == TimerState(
        status=Status.RUNNING, started_at=T0, last_at=T0, run_total=dt.timedelta(0), run_since=T0
    )


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        ({"presentation_minutes": 0}, "at least one minute"),
        ({"question_minutes": -1}, "cannot be negative"),
        ({"warning_minutes": -1}, "within the presentation"),
        ({"presentation_minutes": 5, "warning_minutes": 6}, "within the presentation"),
    ],
)
def test_settings_refuse_minutes_out_of_range(minutes, message):
    with pytest.raises(TimerError, match=message) as refused:
        TimerSettings(**minutes)

    assert refused.value.code == "settings"


def test_settings_default_to_the_notice():
    assert TimerSettings() == TimerSettings(
        presentation_minutes=12, question_minutes=3, warning_minutes=2
    )


# --- properties --------------------------------------------------------------------------------

STEPS = st.integers(min_value=0, max_value=20 * 60 * 1_000_000)  # microseconds between events


@st.composite
def histories(draw: st.DrawFn) -> list[TimerEvent]:
    """A valid event sequence: a start, pause/resume pairs, perhaps a trailing pause, perhaps a
    stop, at non-decreasing times."""
    kinds = [EventKind.START]
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        kinds += [EventKind.PAUSE, EventKind.RESUME]
    if draw(st.booleans()):
        kinds.append(EventKind.PAUSE)
    if draw(st.booleans()):
        kinds.append(EventKind.STOP)
    moment = T0
    events = []
    for kind in kinds:
        moment += dt.timedelta(microseconds=draw(STEPS))
        events.append(TimerEvent(kind, moment))
    return events


@given(
    events=histories(),
    offsets=st.lists(
        st.integers(min_value=-60_000_000, max_value=4 * 3600 * 1_000_000), min_size=2, max_size=8
    ),
)
@settings(max_examples=300, deadline=None)
def test_elapsed_is_non_decreasing_and_within_wall_time(events, offsets):
    state = replay(events)
    last = events[-1].at

    moments = sorted(T0 + dt.timedelta(microseconds=offset) for offset in offsets)
    readings = [reading(state, now) for now in moments]

    elapsed = [r.elapsed for r in readings]
    assert elapsed == sorted(elapsed)
    for now, result in zip(moments, readings, strict=True):
        assert dt.timedelta(0) <= result.elapsed <= max(now, last) - T0
        if now >= last:
            assert result.elapsed <= now - T0
        assert result.elapsed_seconds == result.elapsed // dt.timedelta(seconds=1)


@given(events=histories(), offset=st.integers(min_value=0, max_value=4 * 3600 * 1_000_000))
@settings(max_examples=200, deadline=None)
def test_reading_is_the_same_from_any_prefix_replayed_again(events, offset):
    now = T0 + dt.timedelta(microseconds=offset)
    whole = replay(events)

    for cut in range(len(events) + 1):
        assert replay(events[cut:], replay(events[:cut])) == whole
    assert reading(replay(events), now) == reading(whole, now)


@given(events=histories(), offset=st.integers(min_value=0, max_value=4 * 3600 * 1_000_000))
@settings(max_examples=200, deadline=None)
def test_reading_figures_agree_with_each_other(events, offset):
    result = reading(replay(events), T0 + dt.timedelta(microseconds=offset))

    s = result.elapsed_seconds
    assert result.remaining_seconds == max(720 - s, 0)
    assert result.overtime_seconds == max(s - 900, 0)
    assert (result.colour == Colour.NORMAL) == (s < 600)
    assert (result.colour == Colour.RED) == (s >= 720)
