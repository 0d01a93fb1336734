"""Official documents date themselves 2026年12月6日: no leading zeros, no spaces (issue 18,
item 9), in every document that prints a date (the kernel's one chinese_date)."""

from __future__ import annotations

from datetime import date

from banzu.documents.model import chinese_date


def test_an_official_date_has_no_leading_zeros_or_spaces() -> None:
    assert [chinese_date(date(2026, 12, 6)), chinese_date(date(2026, 4, 21))] == [
        "2026年12月6日",
        "2026年4月21日",
    ]
