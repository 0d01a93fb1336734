"""The shared event fixture and the score selector over it."""

from decimal import Decimal

from banzu.presentations import selectors
from banzu.presentations.enums import SheetState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal


def test_recused_members_sheets_never_count(world):
    slot = world.slots_a[0]
    totals = [Decimal("16.5"), Decimal("17.0"), Decimal("18.0"), Decimal("15.5"), Decimal("19.0")]
    for user, total in zip(world.panel_a, totals, strict=True):
        PresentationSheet.objects.create(
            slot=slot, expert=user, total=total, state=SheetState.SUBMITTED
        )
    member = PanelMember.objects.get(room=world.room_a, expert=world.panel_a[4])
    Recusal.objects.create(member=member, slot=slot, reason="enterprise")

    result = selectors.slot_score(slot, world.event)

    # Four scorers left: fewer than the trimmed mean needs, so the plain mean of the four.
    assert (result.submitted, result.expected) == (4, 4)
    assert result.score.score == Decimal("16.75")
