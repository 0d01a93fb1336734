from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banzu.editions.enums import AggregationRule, AwardMode, PresentationSheetSource


class Edition(models.Model):
    """One year's activity. Everything an application is judged by belongs to its edition."""

    year = models.PositiveIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    notice_number = models.CharField(_("notice number"), max_length=50)
    notice_date = models.DateField(_("notice date"), null=True, blank=True)
    registration_opens_at = models.DateTimeField(_("registration opens"))
    recommendation_deadline = models.DateTimeField(
        _("recommendation deadline"),
        help_text=_("Applicants and recommenders must submit before this moment."),
    )
    materials_weight = models.PositiveIntegerField(
        _("materials weight"), default=80, validators=[MaxValueValidator(100)]
    )
    presentation_weight = models.PositiveIntegerField(
        _("presentation weight"), default=20, validators=[MaxValueValidator(100)]
    )
    aggregation_rule = models.CharField(
        _("aggregation across experts"),
        max_length=20,
        choices=AggregationRule.choices,
        default=AggregationRule.TRIMMED_MEAN,
    )
    trim_min_experts = models.PositiveIntegerField(
        _("drop highest and lowest from this many experts"),
        default=5,
        validators=[MinValueValidator(3)],
    )
    award_mode = models.CharField(
        _("award tiers assigned"),
        max_length=20,
        choices=AwardMode.choices,
        default=AwardMode.QUOTA,
    )
    presentation_sheet_source = models.CharField(
        _("presentation score sheet"),
        max_length=20,
        choices=PresentationSheetSource.choices,
        default=PresentationSheetSource.OWN_ITEMS,
    )
    contacts = models.TextField(
        _("association contacts"),
        blank=True,
        default="",
        # Rows written by code that predates the field (an older migration's models) get none.
        db_default="",
        help_text=_(
            "Shown on the log-in page: one person a line, name and phone numbers, as in the notice."
        ),
    )
    is_active = models.BooleanField(
        _("current edition"),
        default=False,
        help_text=_("The edition applicants apply to. Only one edition is current."),
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=Q(is_active=True),
                name="one_current_edition",
            ),
            models.CheckConstraint(
                name="weights_sum_to_100",
                condition=Q(materials_weight=100 - F("presentation_weight")),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.registration_opens_at <= now <= self.recommendation_deadline

    @property
    def contact_lines(self) -> list[str]:
        return [" ".join(line.split()) for line in self.contacts.splitlines() if line.strip()]

    @property
    def rubric_total(self) -> Decimal:
        return sum((item.max_points for item in self.rubric_items.all()), Decimal("0"))


class PointsItem(models.Model):
    """An item scored up to a maximum in whole or half points: a rubric or a presentation item."""

    position = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("evaluation item"), max_length=100)
    max_points = models.DecimalField(
        _("maximum points"),
        max_digits=5,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0.5")),
            MaxValueValidator(Decimal("100")),
        ],
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class RubricItem(PointsItem):
    """One item of Attachment 3 (评价表), with its sub-criteria copied verbatim."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="rubric_items")
    criteria = models.TextField(_("evaluation content"))

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("rubric item")
        verbose_name_plural = _("rubric items")
        constraints = [
            models.UniqueConstraint(fields=["edition", "position"], name="rubric_position_unique")
        ]

    def criteria_lines(self) -> list[str]:
        return [line.strip() for line in self.criteria.splitlines() if line.strip()]


class PresentationItem(PointsItem):
    """One item of the edition's presentation score sheet. The notice leaves the sheet to the
    association, so it is edition data, edited before the event."""

    edition = models.ForeignKey(
        Edition, on_delete=models.CASCADE, related_name="presentation_items"
    )
    text = models.TextField(_("what the experts judge"))

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("presentation item")
        verbose_name_plural = _("presentation items")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "position"], name="presentation_position_unique"
            )
        ]


class AwardTier(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="award_tiers")
    position = models.PositiveIntegerField(_("order"))
    name = models.CharField(_("tier name"), max_length=50)
    quota = models.PositiveIntegerField(
        _("number of awards"),
        null=True,
        blank=True,
        help_text=_("Used with rank quotas."),
    )
    min_score = models.DecimalField(
        _("minimum total score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Used with score thresholds."),
    )
    share_percent = models.DecimalField(
        _("share of the ranked teams (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Used with shares of the ranked teams."),
    )

    class Meta:
        ordering = ["edition", "position"]
        verbose_name = _("award tier")
        verbose_name_plural = _("award tiers")
        constraints = [
            models.UniqueConstraint(fields=["edition", "position"], name="award_position_unique")
        ]

    def __str__(self) -> str:
        return self.name
