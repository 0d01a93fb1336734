"""Points for the demo's presentation sheets, shared by the 2026 event (banzu/demo/event.py) and
2025's results (banzu/demo/results.py): each expert a little more or less lenient, each item a
little apart, always whole or half points within the item's maximum."""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from banzu.editions.selectors import SheetItem

SHEET_COMMENTS = [
    "发布思路清晰，数据翔实，现场答辩准确。",
    "PPT制作规范，改进成效可量化，建议加强推广。",
    "班组特色鲜明，时间把控较好。",
    "问题分析到位，个别数据来源需补充说明。",
    "成果实用性强，表达流畅。",
]


def half(value: Decimal) -> Decimal:
    """The value rounded to whole or half points."""
    return (value * 2).quantize(Decimal(1)) / 2


def presentation_points(
    rng: random.Random, sheet: Sequence[SheetItem], quality: Decimal
) -> dict[int, Decimal]:
    """One expert's points for a team of the given quality (a share of the maximum), by item
    position in the sheet's order."""
    leniency = Decimal(rng.randint(-5, 5)) / 100
    points = {}
    for item in sheet:
        share = quality + leniency + Decimal(rng.randint(-6, 6)) / 100
        points[item.position] = max(Decimal(0), min(item.max_points, half(item.max_points * share)))
    return points
