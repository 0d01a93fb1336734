from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from banzu.editions.enums import PresentationSheetSource
from banzu.editions.models import Edition
from banzu.editions.services import points


def get_current_edition() -> Edition | None:
    return Edition.objects.filter(is_active=True).prefetch_related("rubric_items").first()


@dataclass(frozen=True)
class SheetItem:
    """One item of the presentation score sheet as the experts will score it."""

    position: int
    title: str
    text: str
    max_points: Decimal

    @property
    def max_points_text(self) -> str:
        return points(self.max_points)

    def text_lines(self) -> list[str]:
        return [line.strip() for line in self.text.splitlines() if line.strip()]


def scaled_rubric(edition: Edition) -> list[SheetItem]:
    """The materials rubric scaled to the presentation weight: each maximum × weight / 100,
    exact (a division by 100 never rounds)."""
    weight = Decimal(edition.presentation_weight)
    return [
        SheetItem(item.position, item.title, item.criteria, item.max_points * weight / 100)
        for item in edition.rubric_items.all()
    ]


def presentation_sheet(edition: Edition) -> list[SheetItem]:
    """The sheet the presentation is scored on, from the source the edition chose."""
    if edition.presentation_sheet_source == PresentationSheetSource.RUBRIC_SCALED:
        return scaled_rubric(edition)
    return [
        SheetItem(item.position, item.title, item.text, item.max_points)
        for item in edition.presentation_items.all()
    ]
