"""The stage timer of one team's presentation, without Django.

The server records only events (start, pause, resume, stop) with their timestamps; everything a
page shows is `reading(state, now)`, a pure function of those timestamps. So a reload, a second
device or a restarted server computes the same display from the same records.

Time is kept as `timedelta` (exact integer microseconds), never as float seconds. The display
works in whole seconds of elapsed time, `floor(elapsed)`, and every boundary is decided on that
whole second, so the colour changes exactly when the displayed figure does. With P presentation,
Q question and W warning seconds and s = floor(elapsed):

- presenting  0 <= s < P - W    countdown of P - s           normal
- warning     P - W <= s < P    countdown of P - s           amber  (10:00 elapsed by default)
- questions   P <= s < P + Q    countdown of P + Q - s       red    (12:00 elapsed by default)
- overtime    P + Q <= s        count-up of s - (P + Q)      red    (15:00 elapsed by default)

The countdown P - s is ceil(P - elapsed): it shows 02:00 from exactly 10:00.000 elapsed, and
00:00 from exactly 12:00.000, the instant the screen turns red.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum

SECOND = dt.timedelta(seconds=1)
ZERO = dt.timedelta(0)


class TimerError(ValueError):
    """A refused event or setting; `code` is one of `REFUSAL_CODES`."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


REFUSAL_CODES = (
    "already_started",  # start a second time
    "not_started",  # pause, resume or stop before the start
    "not_running",  # pause while paused
    "not_paused",  # resume while running
    "stopped",  # anything after the stop
    "time_went_back",  # an event earlier than the last recorded one
    "naive_time",  # a datetime without a time zone
    "settings",  # minutes out of range
)


class EventKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


class Phase(StrEnum):
    NOT_STARTED = "not_started"
    PRESENTING = "presenting"
    WARNING = "warning"
    QUESTIONS = "questions"
    OVERTIME = "overtime"
    PAUSED = "paused"
    STOPPED = "stopped"


class Colour(StrEnum):
    NORMAL = "normal"
    AMBER = "amber"
    RED = "red"


# The allowed moves; every other (status, event) pair is refused with the code in REFUSED.
MOVES: dict[tuple[Status, EventKind], Status] = {
    (Status.NOT_STARTED, EventKind.START): Status.RUNNING,
    (Status.RUNNING, EventKind.PAUSE): Status.PAUSED,
    (Status.PAUSED, EventKind.RESUME): Status.RUNNING,
    (Status.RUNNING, EventKind.STOP): Status.STOPPED,
    (Status.PAUSED, EventKind.STOP): Status.STOPPED,
}

REFUSED: dict[tuple[Status, EventKind], str] = {
    (Status.NOT_STARTED, EventKind.PAUSE): "not_started",
    (Status.NOT_STARTED, EventKind.RESUME): "not_started",
    (Status.NOT_STARTED, EventKind.STOP): "not_started",
    (Status.RUNNING, EventKind.START): "already_started",
    (Status.RUNNING, EventKind.RESUME): "not_paused",
    (Status.PAUSED, EventKind.START): "already_started",
    (Status.PAUSED, EventKind.PAUSE): "not_running",
    **{(Status.STOPPED, kind): "stopped" for kind in EventKind},
}


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise TimerError("naive_time", f"{moment.isoformat()} has no time zone")
    return moment


@dataclass(frozen=True)
class TimerSettings:
    """The edition's minutes: presentation >= 1, questions >= 0, 0 <= warning <= presentation."""

    presentation_minutes: int = 12
    question_minutes: int = 3
    warning_minutes: int = 2

    def __post_init__(self) -> None:
        if self.presentation_minutes < 1:
            raise TimerError("settings", "the presentation needs at least one minute")
        if self.question_minutes < 0:
            raise TimerError("settings", "question minutes cannot be negative")
        if not 0 <= self.warning_minutes <= self.presentation_minutes:
            raise TimerError("settings", "the warning must fall within the presentation")

    @property
    def presentation_seconds(self) -> int:
        return self.presentation_minutes * 60

    @property
    def question_seconds(self) -> int:
        return self.question_minutes * 60

    @property
    def warning_seconds(self) -> int:
        return self.warning_minutes * 60


@dataclass(frozen=True)
class TimerEvent:
    kind: EventKind
    at: dt.datetime  # timezone-aware


@dataclass(frozen=True)
class TimerState:
    """What the recorded events add up to. `run_total` is the running time of the runs already
    ended by a pause or the stop; `run_since` is when the current run began (running only)."""

    status: Status = Status.NOT_STARTED
    started_at: dt.datetime | None = None
    stopped_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    run_total: dt.timedelta = ZERO
    run_since: dt.datetime | None = None

    def elapsed(self, now: dt.datetime) -> dt.timedelta:
        """Presentation time, pauses excluded. A `now` before the last recorded event counts as
        that event's time: a request whose clock was read just before another recorded a pause
        must not show the time running backwards or past the pause."""
        _aware(now)
        if self.run_since is None:
            return self.run_total
        assert self.last_at is not None
        return self.run_total + (max(now, self.last_at) - self.run_since)


def allowed(state: TimerState) -> frozenset[EventKind]:
    """The events the console may offer now."""
    return frozenset(kind for (status, kind) in MOVES if status == state.status)


def apply(state: TimerState, event: TimerEvent) -> TimerState:
    """The state after `event`, or TimerError. The only way a state changes."""
    at = _aware(event.at)
    key = (state.status, event.kind)
    if key in REFUSED:
        raise TimerError(REFUSED[key], f"cannot {event.kind} a timer that is {state.status}")
    if state.last_at is not None and at < state.last_at:
        raise TimerError(
            "time_went_back",
            f"{event.kind} at {at.isoformat()} is before {state.last_at.isoformat()}",
        )
    status = MOVES[key]
    moved = replace(state, status=status, last_at=at)
    if event.kind == EventKind.START:
        return replace(moved, started_at=at, run_since=at)
    if event.kind == EventKind.RESUME:
        return replace(moved, run_since=at)
    if state.run_since is not None:  # a pause, or a stop while running: the run ends here
        moved = replace(moved, run_total=state.run_total + (at - state.run_since), run_since=None)
    if status == Status.STOPPED:
        moved = replace(moved, stopped_at=at)
    return moved


def replay(events: Iterable[TimerEvent], state: TimerState | None = None) -> TimerState:
    """The state the recorded events give, in order, from scratch (or from `state`)."""
    state = TimerState() if state is None else state
    for event in events:
        state = apply(state, event)
    return state


@dataclass(frozen=True)
class Reading:
    phase: Phase
    colour: Colour
    elapsed: dt.timedelta  # exact, pauses excluded
    elapsed_seconds: int  # floor(elapsed): every boundary is decided on this
    remaining_seconds: int  # of the presentation, counts down to 0 and stays there
    question_seconds_left: int  # of the questions, Q until the presentation time is up
    overtime_seconds: int  # counted up after presentation + questions
    countdown: bool  # False in the overtime, when the screen counts up

    @property
    def display(self) -> str:
        """What the big screen shows: the presentation's or the questions' countdown as MM:SS,
        then the overtime as +MM:SS."""
        if not self.countdown:
            return "+" + _clock(self.overtime_seconds)
        if self.remaining_seconds > 0:
            return _clock(self.remaining_seconds)
        return _clock(self.question_seconds_left)


def _clock(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes:02d}:{rest:02d}"


def reading(state: TimerState, now: dt.datetime, settings: TimerSettings | None = None) -> Reading:
    """The display at `now`. Paused and stopped timers keep the colour and figures of where
    they stand; only their phase says they are paused or stopped."""
    settings = TimerSettings() if settings is None else settings
    elapsed = state.elapsed(now)
    seconds = elapsed // SECOND
    p = settings.presentation_seconds
    end = p + settings.question_seconds
    if seconds < p - settings.warning_seconds:
        period, colour = Phase.PRESENTING, Colour.NORMAL
    elif seconds < p:
        period, colour = Phase.WARNING, Colour.AMBER
    elif seconds < end:
        period, colour = Phase.QUESTIONS, Colour.RED
    else:
        period, colour = Phase.OVERTIME, Colour.RED
    phase = {
        Status.NOT_STARTED: Phase.NOT_STARTED,
        Status.PAUSED: Phase.PAUSED,
        Status.STOPPED: Phase.STOPPED,
    }.get(state.status, period)
    return Reading(
        phase=phase,
        colour=colour,
        elapsed=elapsed,
        elapsed_seconds=seconds,
        remaining_seconds=max(p - seconds, 0),
        question_seconds_left=min(max(end - seconds, 0), settings.question_seconds),
        overtime_seconds=max(seconds - end, 0),
        countdown=seconds < end,
    )
