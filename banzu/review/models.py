"""The expert pool, the edition's review settings and who reviews what."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Enterprise, Recommender
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.review.enums import ACTIVE_ASSIGNMENT_STATES, AssignmentSource, AssignmentState

MIN_EXPERTS = 3
MAX_EXPERTS = 5


class ExpertProfile(models.Model):
    """What the province knows of an expert account (role expert): where they work, what they
    know, and whom they belong to — the last two decide the automatic conflicts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile"
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    city = models.CharField(_("city"), max_length=20, blank=True)
    specialities = models.JSONField(
        _("specialities"),
        default=list,
        blank=True,
        help_text=_("Industries the expert knows, as in the enterprises' 所属行业."),
    )
    employer = models.ForeignKey(
        Enterprise,
        verbose_name=_("applying enterprise they work for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recommenders = models.ManyToManyField(
        Recommender,
        verbose_name=_("recommenders they belong to"),
        blank=True,
        related_name="+",
    )
    is_available = models.BooleanField(
        _("available for assignment"),
        default=True,
        help_text=_("Only available experts are given applications by the automatic assignment."),
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__full_name", "user__username"]
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class ReviewSettings(models.Model):
    """The edition's choices for the expert review (made with their defaults on first use)."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="review_settings"
    )
    experts_per_application = models.PositiveIntegerField(
        _("experts per application"),
        default=MIN_EXPERTS,
        validators=[MinValueValidator(MIN_EXPERTS), MaxValueValidator(MAX_EXPERTS)],
    )
    spread_flag = models.DecimalField(
        _("flag a standard deviation above"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("8.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Points out of 100: applications whose experts differ more are flagged."),
    )
    due_at = models.DateTimeField(
        _("sheets due"),
        null=True,
        blank=True,
        help_text=_("Shown to experts; reminders name it."),
    )

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")

    def __str__(self) -> str:
        return f"{self.edition}"


class AssignmentQuerySet(models.QuerySet["Assignment"]):
    def active(self) -> AssignmentQuerySet:
        return self.filter(state__in=ACTIVE_ASSIGNMENT_STATES)


class Assignment(models.Model):
    """One expert asked to review one application's materials. Rows are never deleted: a
    declared conflict or a removal keeps the row, with its reason, and blocks the pair."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="assignments"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    # Only banzu.review.services changes the state.
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=AssignmentState.choices,
        default=AssignmentState.PENDING,
    )
    source = models.CharField(
        _("made"), max_length=10, choices=AssignmentSource.choices, default=AssignmentSource.MANUAL
    )
    reason = models.TextField(_("reason"), blank=True)
    declared_at = models.DateTimeField(_("declared"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "expert"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "expert"], name="one_assignment_per_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.expert}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_ASSIGNMENT_STATES


class Reminder(models.Model):
    """A reminder mailed to an expert who is behind."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_reminders"
    )
    outstanding = models.PositiveIntegerField(_("sheets outstanding"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.expert} · {self.sent_at:%Y-%m-%d %H:%M}"
