"""Whole numbers from a query string, a form field or a URL, read so that a bad value is ignored.

`str.isdigit()` is not enough: it accepts "²" (which int() refuses) and any number of digits
(which the database refuses: SQLite raises OverflowError past 2**63 - 1, and Django checks the
range of an integer column but not of a foreign key). Either became a 500. Here such a value is
simply absent (None), so the page shows its unfiltered or not-found answer.
"""

from __future__ import annotations

# The largest value of a 64-bit id column (BigAutoField, PositiveBigIntegerField).
MAX_ID = 2**63 - 1


def int_param(raw: object, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The number, if `raw` is plain ASCII digits within [minimum, maximum]; otherwise None."""
    text = str(raw if raw is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None
