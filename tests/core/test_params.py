"""banzu.core.params: a number from a request is a plain ASCII number within range, or absent."""

from __future__ import annotations

import pytest

from banzu.core.params import MAX_ID, int_param


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        (" 42 ", 42),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # one past a 64-bit id: SQLite would raise OverflowError
        ("9" * 30, None),
        ("9" * 10_000, None),  # not even parsed: int() of it would be slow, not only wrong
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.5", None),
        ("1e3", None),
        ("²", None),  # str.isdigit() says yes, int() says no
        ("١٢", None),  # Arabic-Indic digits: int() would read 12
        ("１２", None),  # full-width digits: int() would read 12
        ("", None),
        (None, None),
        ("abc", None),
    ],
)
def test_int_param_reads_only_plain_numbers_in_range(raw, expected):
    assert int_param(raw) == expected


def test_int_param_bounds_are_the_callers():
    assert (int_param("0", minimum=0), int_param("2026", maximum=9999)) == (0, 2026)
    assert (int_param("10000", maximum=9999), int_param("999", minimum=1000)) == (None, None)
