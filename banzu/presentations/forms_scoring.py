"""Forms of the scoring pages: the sheet posted without JavaScript, the chair's return and the
admin's paper sheet. The points are checked by the service (banzu.presentations.sheets), which
names every wrong item at once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import User
from banzu.editions.selectors import SheetItem
from banzu.presentations import selectors
from banzu.presentations.enums import SlotState
from banzu.presentations.models import Room, Slot


def points_name(item: SheetItem) -> str:
    return f"points_{item.position}"


class PointsMixin(forms.Form):
    """One text field per sheet item, named points_<position>; empty allowed here, refused by
    the service so that every item's message comes from one place."""

    def add_points(self, items: Sequence[SheetItem]) -> None:
        self.items = list(items)
        for item in self.items:
            self.fields[points_name(item)] = forms.CharField(
                label=item.title, required=False, max_length=10
            )

    def points(self) -> dict[int, str]:
        return {item.position: self.cleaned_data.get(points_name(item), "") for item in self.items}


class SheetPostForm(PointsMixin):
    """The expert's sheet posted by the plain form (the page without JavaScript)."""

    slot = forms.IntegerField(widget=forms.HiddenInput)
    client_key = forms.UUIDField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=4000)

    def __init__(self, *args: Any, items: Sequence[SheetItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_points(items)
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4())


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it goes back for correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SlotChoice(forms.ModelChoiceField[Slot]):
    def label_from_instance(self, obj: Slot) -> str:
        team = obj.application.team.name
        return f"{obj.position or '-'}. {team} · {obj.application.team.enterprise.name}"


class ExpertChoice(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return str(obj.display_name)


class PaperSheetForm(PointsMixin):
    """The admin types in a paper sheet for one of the room's teams and one of its scorers."""

    slot = SlotChoice(label=_("Team"), queryset=Slot.objects.none())
    expert = ExpertChoice(label=_("Expert (whose sheet it is)"), queryset=User.objects.none())
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scan = forms.FileField(label=_("Scan of the signed paper sheet (PDF, JPEG or PNG)"))

    def __init__(self, *args: Any, room: Room, items: Sequence[SheetItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slots: QuerySet[Slot] = selectors.room_order(room).filter(
            state__in=(SlotState.PRESENTING, SlotState.DONE)
        )
        self.fields["slot"].queryset = slots  # type: ignore[attr-defined]
        self.fields["expert"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            panel_seats__room=room
        ).order_by("full_name", "pk")
        self.add_points(items)
