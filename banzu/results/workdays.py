"""Working days in mainland China, for the publicity window (公示期) of issue 15. Pure, no Django.

A working day is Monday to Friday, less the public holidays, plus the adjusted working days
(调休: a Saturday or Sunday worked in exchange for a longer holiday), as the State Council's
General Office announces them each year (国务院办公厅关于 YYYY 年部分节假日安排的通知). The
announced days come from the `chinesecalendar` package, whose tables hold both the days off and
the 调休 working days of every year it covers and which refuses a year it has no notice for.

Nothing here guesses a year the data do not cover: a computation that needs a day past
`known_until()` raises `CalendarNotKnown`, so the admin is told instead of getting a wrong end
date. An association that has read a notice the installed package does not have yet enters it as
`extra_holidays` and `extra_workdays` and says up to which day its entry holds (`covered_until`).

The window convention: `add_working_days(start, n)` is the last day of a window of n working
days whose first day is `start` if `start` is a working day, else the first working day after it.
A 5-working-day window starting on a working day thus ends on the 5th working day counted from
the start, both ends included, and `working_days_between(start, end)` of that window is 5.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar

_NO_DAYS: frozenset[date] = frozenset()
_ONE_DAY = timedelta(days=1)

# The years the package has official tables for (it refuses the others with NotImplementedError).
_FIRST_YEAR = min(chinese_calendar.holidays).year
_LAST_YEAR = max(chinese_calendar.holidays).year

# A year's notice may reach back into the last days of the year before it: the 2019 notice made
# Saturday 2018-12-29 a working day and Monday 2018-12-31 a day off; the 2002, 2007 and 2008
# notices moved 29–31 December too. So the last days of the last covered year are not settled
# until the next notice is out: the data are trusted up to a week before that year's end.
_NEXT_NOTICE_REACH = timedelta(days=7)


class CalendarNotKnown(ValueError):
    """A computation needs a day for which no announced holiday arrangement is known."""

    def __init__(self, day: date, *, known_from: date, known_until: date) -> None:
        self.day = day
        self.known_from = known_from
        self.known_until = known_until
        super().__init__(
            f"No announced holiday arrangement is known for {day.isoformat()}: working days are "
            f"known from {known_from.isoformat()} to {known_until.isoformat()}. Enter the "
            "announced days off and adjusted working days, or update the holiday calendar."
        )


def known_from() -> date:
    """The first day the official data cover."""
    return date(_FIRST_YEAR, 1, 1)


def known_until() -> date:
    """The last day whose status the official data settle (see _NEXT_NOTICE_REACH)."""
    return date(_LAST_YEAR, 12, 31) - _NEXT_NOTICE_REACH


def is_working_day(
    day: date,
    *,
    extra_holidays: frozenset[date] = _NO_DAYS,
    extra_workdays: frozenset[date] = _NO_DAYS,
    covered_until: date | None = None,
) -> bool:
    """Whether people work on `day`; the extra days, entered by the association, come first."""
    until = _coverage(extra_holidays, extra_workdays, covered_until)
    return _is_working_day(day, extra_holidays, extra_workdays, until)


def add_working_days(
    start: date,
    n: int,
    *,
    extra_holidays: frozenset[date] = _NO_DAYS,
    extra_workdays: frozenset[date] = _NO_DAYS,
    covered_until: date | None = None,
) -> date:
    """The last day of a window of `n` working days beginning at `start` (module docstring)."""
    if n < 1:
        raise ValueError(f"A window has at least one working day, not {n}.")
    until = _coverage(extra_holidays, extra_workdays, covered_until)
    day, counted = start, 0
    while True:  # ends at the n-th working day, or in CalendarNotKnown past `until`
        if _is_working_day(day, extra_holidays, extra_workdays, until):
            counted += 1
            if counted == n:
                return day
        day += _ONE_DAY


def working_days_between(
    first: date,
    last: date,
    *,
    extra_holidays: frozenset[date] = _NO_DAYS,
    extra_workdays: frozenset[date] = _NO_DAYS,
    covered_until: date | None = None,
) -> int:
    """How many working days lie from `first` to `last`, both included."""
    if last < first:
        raise ValueError(f"The period ends ({last}) before it starts ({first}).")
    until = _coverage(extra_holidays, extra_workdays, covered_until)
    return sum(
        _is_working_day(first + i * _ONE_DAY, extra_holidays, extra_workdays, until)
        for i in range((last - first).days + 1)
    )


def _coverage(
    extra_holidays: frozenset[date], extra_workdays: frozenset[date], covered_until: date | None
) -> date:
    both = extra_holidays & extra_workdays
    if both:
        listed = ", ".join(sorted(day.isoformat() for day in both))
        raise ValueError(f"A day cannot be both a day off and a working day: {listed}.")
    if any(isinstance(day, datetime) for day in extra_holidays | extra_workdays):
        raise TypeError("Extra days are dates, not datetimes.")
    return known_until() if covered_until is None else max(known_until(), covered_until)


def _is_working_day(
    day: date, extra_holidays: frozenset[date], extra_workdays: frozenset[date], until: date
) -> bool:
    # A datetime would compare unequal to every date in the tables and pass as an ordinary day.
    if isinstance(day, datetime):
        raise TypeError("Working days are dates, not datetimes.")
    if not known_from() <= day <= until:
        raise CalendarNotKnown(day, known_from=known_from(), known_until=until)
    if day in extra_workdays:
        return True
    if day in extra_holidays:
        return False
    if day.year > _LAST_YEAR:  # covered by the association's entry alone
        return day.weekday() < 5
    return bool(chinese_calendar.is_workday(day))
