"""Forms of the admin's event setup: the settings, a room, a secretary account, a move, the
panel's chair and a swap, and the reason for drawing again."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.presentations.enums import Selection
from banzu.presentations.models import Event, PanelMember, Room
from banzu.presentations.setup import EVENT_FIELDS
from banzu.review.selectors import pool

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "selection": forms.RadioSelect,
            "show_score": forms.RadioSelect,
            "panel_size": forms.NumberInput(attrs={"min": 3, "max": 15}),
            "selection_min_score": forms.NumberInput(attrs={"min": 0, "max": 100, "step": "0.01"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        selection = data.get("selection")
        if selection == Selection.BEST_N and not data.get("selection_count"):
            self.add_error("selection_count", _("Say how many of the best present."))
        if selection == Selection.MIN_SCORE:
            floor = data.get("selection_min_score")
            if floor is None:
                self.add_error("selection_min_score", _("Give the lowest materials score."))
            elif not Decimal(0) <= floor <= Decimal(100):
                self.add_error("selection_min_score", _("A materials score is out of 100."))
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first."))
        presentation, warning = data.get("presentation_minutes"), data.get("warning_minutes")
        if presentation and warning and warning >= presentation:
            self.add_error(
                "warning_minutes", _("The warning must come before the presentation time ends.")
            )
        return data

    def changed_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in EVENT_FIELDS}


def secretaries() -> Any:
    return User.objects.filter(role=Role.SECRETARY, is_active=True).order_by("full_name", "pk")


class SecretaryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.display_name} ({obj.username})"


class RoomForm(forms.ModelForm):
    secretary = SecretaryField(
        label=_("Room secretary"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = Room
        fields = ["name", "place", "starts_at", "secretary"]
        widgets = {"starts_at": DATETIME}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["secretary"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = secretaries()

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in ("name", "place", "starts_at", "secretary")
        }


class SecretaryForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Initial password"),
        min_length=10,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters; give it to the secretary in person."),
    )

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username


class MoveForm(forms.Form):
    room = forms.ModelChoiceField(label=_("Move to"), queryset=Room.objects.none())

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["room"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = event.rooms.order_by("position")


class ChairForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none())

    def __init__(self, *args: Any, room: Room, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["expert"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            pk__in=PanelMember.objects.filter(room=room).values("expert_id")
        )


class SwapForm(forms.Form):
    old = forms.ModelChoiceField(label=_("Member leaving"), queryset=User.objects.none())
    new = forms.ModelChoiceField(label=_("Expert coming in"), queryset=User.objects.none())

    def __init__(self, *args: Any, room: Room, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        old = self.fields["old"]
        new = self.fields["new"]
        assert isinstance(old, forms.ModelChoiceField)
        assert isinstance(new, forms.ModelChoiceField)
        old.queryset = User.objects.filter(
            pk__in=PanelMember.objects.filter(room=room).values("expert_id")
        )
        # Any available expert: the service says plainly why one already seated cannot come.
        new.queryset = User.objects.filter(
            pk__in=pool(available_only=True).values("user_id")
        ).order_by("full_name", "pk")


class DrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for drawing again"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_reason(self) -> str:
        return str(self.cleaned_data["reason"]).strip()
