"""The live presentation event (现场发布会) of an edition: its rooms (分会场), their panels, the
recorded draw, each team's slot with its stage timer, and the panel's presentation sheets.

Everything the event shows is computed from what is stored here: the timer from its marks
(banzu.presentations.timer), the order from the recorded draw (banzu.presentations.draw), the
presentation score from the submitted sheets (banzu.scoring.core).
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.presentations.enums import (
    RoomState,
    Selection,
    SheetState,
    ShowScore,
    SlotState,
    TimerMarkKind,
)


def new_screen_token() -> str:
    """The big screen's unguessable link: 192 random bits."""
    return secrets.token_urlsafe(24)


class Event(models.Model):
    """The edition's presentation event and its settings, all edited in the UI."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="presentation_event"
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    presentation_minutes = models.PositiveSmallIntegerField(
        _("minutes per presentation"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    question_minutes = models.PositiveSmallIntegerField(
        _("minutes for questions"), default=3, validators=[MaxValueValidator(60)]
    )
    warning_minutes = models.PositiveSmallIntegerField(
        _("warn this many minutes before the end"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    changeover_minutes = models.PositiveSmallIntegerField(
        _("minutes between teams"), default=2, validators=[MaxValueValidator(60)]
    )
    panel_size = models.PositiveSmallIntegerField(
        _("experts per panel"),
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(15)],
    )
    selection = models.CharField(
        _("who presents"), max_length=20, choices=Selection.choices, default=Selection.ALL_SCORED
    )
    selection_count = models.PositiveIntegerField(
        _("how many present (best N)"), null=True, blank=True
    )
    selection_min_score = models.DecimalField(
        _("lowest materials score that presents (out of 100)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
    )
    group_by_industry = models.BooleanField(
        _("keep teams of one industry in one room where the counts allow"), default=False
    )
    show_score = models.CharField(
        _("show the presentation score on the big screen"),
        max_length=20,
        choices=ShowScore.choices,
        default=ShowScore.NEVER,
    )
    fairness_flag = models.DecimalField(
        _("flag rooms whose means differ by more than (points)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal(0))],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("presentation event")
        verbose_name_plural = _("presentation events")
        constraints = [
            models.CheckConstraint(
                condition=Q(warning_minutes__lt=models.F("presentation_minutes")),
                name="event_warning_before_end",
            ),
            models.CheckConstraint(condition=Q(panel_size__gte=3), name="event_panel_at_least_3"),
        ]

    def __str__(self) -> str:
        return f"{self.edition.year} {self.venue}"


class Room(models.Model):
    """A parallel room (分会场) with its panel, its secretary and its big-screen link."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    position = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("first presentation at"))
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="secretary_of_rooms",
        verbose_name=_("room secretary"),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chair_of_rooms",
        verbose_name=_("panel chair"),
    )
    screen_token = models.CharField(max_length=64, unique=True, default=new_screen_token)
    state = models.CharField(
        _("state"), max_length=20, choices=RoomState.choices, default=RoomState.SETUP
    )
    current = models.ForeignKey(
        "Slot", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Counts every change the room's live pages show (banzu.presentations.changes): a polling
    # page that already shows this version is answered 204 and keeps what it has.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["event", "position"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["event", "position"], name="room_position_unique"),
            models.UniqueConstraint(fields=["event", "name"], name="room_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving a room never writes its `version`: only banzu.presentations.changes counts it
        up, in the database, so an instance read before a change cannot set it back."""
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name != "version"
            ]
        super().save(*args, **kwargs)


class PanelMember(models.Model):
    """An expert on a room's panel. An expert sits on one panel of an event (the service
    checks it: the event is one join away)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panel_seats"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room", "expert__full_name", "expert_id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "expert"], name="panel_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.room} · {self.expert}"


class Slot(models.Model):
    """A scored application's place in the event: presenting or not (with why), its room, its
    drawn position, and what happened on stage."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="slots")
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="presentation_slots"
    )
    presenting = models.BooleanField(_("presents"), default=True)
    not_presenting_reason = models.CharField(_("why not presenting"), max_length=200, blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )
    drawn_position = models.PositiveSmallIntegerField(_("drawn position"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=SlotState.choices, default=SlotState.WAITING
    )
    absent_reason = models.CharField(_("reason for absence"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("opened for scoring"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    score = models.DecimalField(
        _("presentation score"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["event", "room__position", "position", "application_id"]
        verbose_name = _("presentation slot")
        verbose_name_plural = _("presentation slots")
        constraints = [
            models.UniqueConstraint(fields=["event", "application"], name="slot_once_per_event"),
            models.UniqueConstraint(
                fields=["room", "position"],
                condition=Q(position__isnull=False),
                name="slot_position_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room or '-'} #{self.position or '-'} {self.application}"


class Recusal(models.Model):
    """A panel member who does not score one team of their room, and why (the same conflict
    rules as the materials review, or a conflict the expert declared)."""

    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="recusals")
    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="recusals")
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["member", "slot"], name="recusal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member} ∉ {self.slot}"


class DrawRecord(models.Model):
    """One recorded draw of a room's order (banzu.presentations.draw). A redraw adds a record
    with its reason; earlier ones stay, and only the latest is in force."""

    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="draws")
    number = models.PositiveSmallIntegerField(_("draw number"))
    algorithm = models.CharField(max_length=50)
    seed = models.CharField(max_length=128)
    input_sha256 = models.CharField(max_length=64)
    record = models.TextField(help_text="banzu.presentations.draw.to_json of the draw")
    reason = models.TextField(_("reason for drawing again"), blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    drawn_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room", "number"]
        constraints = [
            models.UniqueConstraint(fields=["room", "number"], name="draw_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.room} draw {self.number}"


class TimerMark(models.Model):
    """One event of a slot's stage timer, with the server's time: the timer is replayed from
    these (banzu.presentations.timer.replay)."""

    slot = models.ForeignKey(Slot, on_delete=models.CASCADE, related_name="timer_marks")
    kind = models.CharField(max_length=10, choices=TimerMarkKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["slot", "at", "id"]

    def __str__(self) -> str:
        return f"{self.slot_id} {self.kind} {self.at:%H:%M:%S}"


class PresentationSheet(models.Model):
    """One panel member's score of one team's presentation. `items` holds
    [{"position": n, "points": "x.5"}] against the edition's presentation sheet; `total` is
    their exact sum. `client_key` is the phone's idempotency key: a repeated submission with the
    same key is answered with the stored sheet and changes nothing."""

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="sheets")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="presentation_sheets"
    )
    state = models.CharField(
        _("state"), max_length=20, choices=SheetState.choices, default=SheetState.DRAFT
    )
    items = models.JSONField(default=list)
    total = models.DecimalField(_("total"), max_digits=5, decimal_places=1, default=Decimal(0))
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    client_key = models.UUIDField(null=True, blank=True, unique=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    # A paper sheet typed in by the admin after the event: who typed it, and the scan.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    scan_path = models.CharField(max_length=300, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slot", "expert__full_name", "expert_id"]
        verbose_name = _("presentation sheet")
        verbose_name_plural = _("presentation sheets")
        constraints = [
            models.UniqueConstraint(fields=["slot", "expert"], name="presentation_sheet_once"),
        ]

    def __str__(self) -> str:
        return f"{self.slot} · {self.expert}"


class PresentationSheetVersion(models.Model):
    """A submitted sheet as it was before the chair returned it for correction."""

    sheet = models.ForeignKey(
        PresentationSheet, on_delete=models.PROTECT, related_name="old_versions"
    )
    version = models.PositiveIntegerField()
    items = models.JSONField(default=list)
    total = models.DecimalField(max_digits=5, decimal_places=1)
    comment = models.TextField(blank=True)
    client_key = models.UUIDField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True)
    returned_at = models.DateTimeField(auto_now_add=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for returning"))

    class Meta:
        ordering = ["sheet", "version"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "version"], name="presentation_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} v{self.version}"


__all__ = [
    "DrawRecord",
    "Event",
    "PanelMember",
    "PresentationSheet",
    "PresentationSheetVersion",
    "Recusal",
    "Room",
    "Slot",
    "TimerMark",
    "new_screen_token",
]
