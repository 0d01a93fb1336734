"""The publicity window in working days: China's holidays and 调休 days, across 2026's 国庆 and
2027's 春节, refusing what the data do not cover."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from banzu.results.workdays import (
    CalendarNotKnown,
    add_working_days,
    is_working_day,
    known_from,
    known_until,
    working_days_between,
)

# 国务院办公厅关于2026年部分节假日安排的通知 (4 November 2025): every day off that is not a
# Saturday or Sunday, and every Saturday or Sunday worked (调休).
NOTICE_2026_WEEKDAYS_OFF = (
    [date(2026, 1, 1), date(2026, 1, 2)]
    + [date(2026, 2, d) for d in (16, 17, 18, 19, 20, 23)]
    + [date(2026, 4, 6)]
    + [date(2026, 5, d) for d in (1, 4, 5)]
    + [date(2026, 6, 19), date(2026, 9, 25)]
    + [date(2026, 10, d) for d in (1, 2, 5, 6, 7)]
)
NOTICE_2026_WEEKENDS_WORKED = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]

# Neither chinesecalendar 1.11.0 nor holidays 0.109 has the 2027 notice. What follows is an
# arrangement as an association would enter it, NOT the official one: the statutory 除夕 and
# 初一–初三 (5–8 February 2027; Spring Festival is Saturday 6 February) made a week off from
# Friday 5 to Thursday 11 February, with Sunday 31 January and Saturday 20 February worked.
ENTERED_2027_DAYS_OFF = frozenset(date(2027, 2, d) for d in range(5, 12))
ENTERED_2027_WORKED = frozenset({date(2027, 1, 31), date(2027, 2, 20)})
ENTERED_2027_UNTIL = date(2027, 3, 31)


def entered_2027(start: date, n: int) -> date:
    return add_working_days(
        start,
        n,
        extra_holidays=ENTERED_2027_DAYS_OFF,
        extra_workdays=ENTERED_2027_WORKED,
        covered_until=ENTERED_2027_UNTIL,
    )


def test_known_period_is_the_pinned_packages_years_less_a_week_for_the_next_notice():
    # Fails on purpose when the chinesecalendar pin moves: read the new notice, then update.
    assert (known_from(), known_until()) == (date(2004, 1, 1), date(2026, 12, 24))


@pytest.mark.parametrize("day", NOTICE_2026_WEEKDAYS_OFF)
def test_is_working_day_false_on_every_weekday_off_of_the_2026_notice(day):
    assert (day.weekday() < 5, is_working_day(day)) == (True, False)


@pytest.mark.parametrize("day", NOTICE_2026_WEEKENDS_WORKED)
def test_is_working_day_true_on_every_weekend_day_worked_by_the_2026_notice(day):
    assert (day.weekday() >= 5, is_working_day(day)) == (True, True)


def test_add_working_days_in_a_plain_week_ends_on_friday():
    assert add_working_days(date(2026, 6, 8), 5) == date(2026, 6, 12)
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 14)) == 5


def test_add_working_days_from_a_saturday_starts_on_monday_and_skips_duanwu():
    # Monday 15 to Thursday 18 June, 端午 Friday 19 to Sunday 21, then Monday 22.
    assert add_working_days(date(2026, 6, 13), 5) == date(2026, 6, 22)


def test_add_working_days_from_monday_28_september_2026_skips_guoqing():
    # 28, 29, 30 September, 国庆 1–7 October, then Thursday 8 and Friday 9.
    assert add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 9)
    assert add_working_days(date(2026, 9, 28), 7) == date(2026, 10, 12)


def test_add_working_days_from_30_september_2026_counts_the_tiaoxiu_saturday():
    # 30 September, 8, 9, Saturday 10 October (调休, worked), Sunday 11 off, Monday 12.
    assert add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 12)
    assert working_days_between(date(2026, 10, 8), date(2026, 10, 11)) == 3


def test_add_working_days_from_a_day_of_guoqing_starts_after_it():
    assert add_working_days(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 3), 5) == date(2026, 10, 13)


def test_add_working_days_across_2026_chunjie_counts_saturday_14_february():
    # Thursday 12, Friday 13, Saturday 14 (调休), 春节 15–23, then 24 and 25 February.
    assert add_working_days(date(2026, 2, 12), 5) == date(2026, 2, 25)


def test_add_working_days_past_known_until_is_refused_naming_the_day():
    # Monday 21 to Thursday 24 December 2026 are four; Friday 25 is not settled yet.
    with pytest.raises(CalendarNotKnown) as refused:
        add_working_days(date(2026, 12, 21), 5)

    assert (refused.value.day, refused.value.known_until) == (date(2026, 12, 25), known_until())
    assert str(refused.value) == (
        "No announced holiday arrangement is known for 2026-12-25: working days are known from "
        "2004-01-01 to 2026-12-24. Enter the announced days off and adjusted working days, or "
        "update the holiday calendar."
    )


def test_a_window_across_2027_chunjie_is_refused_without_an_entered_arrangement():
    with pytest.raises(CalendarNotKnown) as refused:
        add_working_days(date(2027, 2, 1), 5)

    assert refused.value.day == date(2027, 2, 1)


def test_extra_days_without_covered_until_do_not_extend_the_known_period():
    with pytest.raises(CalendarNotKnown) as refused:
        add_working_days(date(2027, 2, 1), 5, extra_holidays=ENTERED_2027_DAYS_OFF)

    assert refused.value.day == date(2027, 2, 1)


def test_a_window_across_2027_chunjie_uses_the_entered_arrangement():
    # Monday 1 to Thursday 4 February, the week off, then Friday 12.
    assert entered_2027(date(2027, 2, 1), 5) == date(2027, 2, 12)
    # Thursday 28, Friday 29 January, Sunday 31 (worked), Monday 1, Tuesday 2 February.
    assert entered_2027(date(2027, 1, 28), 5) == date(2027, 2, 2)
    # From a day off: Friday 12, 15–19 February, then Saturday 20 (worked).
    assert entered_2027(date(2027, 2, 10), 7) == date(2027, 2, 20)


def test_a_window_past_the_entered_arrangement_is_refused():
    with pytest.raises(CalendarNotKnown) as refused:
        entered_2027(date(2027, 3, 29), 5)

    assert (refused.value.day, refused.value.known_until) == (date(2027, 4, 1), ENTERED_2027_UNTIL)


def test_extra_days_override_the_package_within_the_known_period():
    # An announced change the package lacks: Wednesday 10 June off, Saturday 13 June worked.
    kwargs = {
        "extra_holidays": frozenset({date(2026, 6, 10)}),
        "extra_workdays": frozenset({date(2026, 6, 13)}),
    }

    assert add_working_days(date(2026, 6, 8), 5, **kwargs) == date(2026, 6, 13)
    assert working_days_between(date(2026, 6, 8), date(2026, 6, 14), **kwargs) == 5
    assert (
        is_working_day(date(2026, 6, 10), **kwargs),
        is_working_day(date(2026, 6, 13), **kwargs),
    ) == (False, True)


def test_a_day_both_off_and_worked_is_refused():
    with pytest.raises(ValueError, match="both a day off and a working day: 2026-06-10"):
        is_working_day(
            date(2026, 6, 8),
            extra_holidays=frozenset({date(2026, 6, 10)}),
            extra_workdays=frozenset({date(2026, 6, 10)}),
        )


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one working day, not 0"):
        add_working_days(date(2026, 6, 8), 0)
    with pytest.raises(ValueError, match="ends"):
        working_days_between(date(2026, 6, 8), date(2026, 6, 7))
    with pytest.raises(TypeError, match="dates, not datetimes"):
        is_working_day(datetime(2026, 10, 10, 9, 0))
    with pytest.raises(CalendarNotKnown):
        is_working_day(date(2003, 12, 31))


def test_a_covered_until_before_known_until_does_not_shorten_the_known_period():
    assert add_working_days(date(2026, 9, 30), 5, covered_until=date(2026, 1, 1)) == date(
        2026, 10, 12
    )


starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 10, 31))
lengths = st.integers(min_value=1, max_value=30)


@given(start=starts, n=lengths)
def test_add_working_days_ends_on_the_nth_working_day(start, n):
    end = add_working_days(start, n)

    assert is_working_day(end)
    assert working_days_between(start, end) == n


@given(
    start=starts,
    n=lengths,
    offsets=st.lists(st.integers(min_value=0, max_value=60), max_size=12, unique=True),
)
def test_add_working_days_ends_on_the_nth_working_day_with_extra_days(start, n, offsets):
    days = [start + timedelta(days=k) for k in offsets]
    extra = {
        "extra_holidays": frozenset(days[::2]),
        "extra_workdays": frozenset(days[1::2]),
    }

    end = add_working_days(start, n, **extra)

    assert is_working_day(end, **extra)
    assert working_days_between(start, end, **extra) == n
