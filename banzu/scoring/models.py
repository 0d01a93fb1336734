from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from banzu.applications.models import Application
from banzu.editions.models import RubricItem
from banzu.scoring.enums import SheetStage, SheetState


class ScoreSheet(models.Model):
    """One person's scores for one application on the edition's rubric (Attachment 3)."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="score_sheets"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=SheetStage.choices)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="score_sheets"
    )
    # Only banzu.scoring.services changes these.
    state = models.CharField(
        _("state"), max_length=20, choices=SheetState.choices, default=SheetState.DRAFT
    )
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=1, default=Decimal(0))
    overall_comment = models.TextField(_("overall comment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "scorer"]
        verbose_name = _("score sheet")
        verbose_name_plural = _("score sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "stage", "scorer"], name="one_sheet_per_scorer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.scorer}"


class ItemScore(models.Model):
    sheet = models.ForeignKey(ScoreSheet, on_delete=models.CASCADE, related_name="items")
    rubric_item = models.ForeignKey(RubricItem, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(
        _("points"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["sheet", "rubric_item__position"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "rubric_item"], name="one_score_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.rubric_item.title}: {self.points}"


class SheetVersion(models.Model):
    """A submitted sheet as it stood before the admin reopened it. Never changed afterwards."""

    sheet = models.ForeignKey(ScoreSheet, on_delete=models.PROTECT, related_name="old_versions")
    version = models.PositiveIntegerField()
    total = models.DecimalField(_("total"), max_digits=6, decimal_places=1)
    overall_comment = models.TextField(_("overall comment"), blank=True)
    # [{"item": rubric item id, "position": n, "title": ..., "points": "12.5", "comment": ...}]
    items = models.JSONField(default=list)
    submitted_at = models.DateTimeField(_("submitted"), null=True)
    reopened_at = models.DateTimeField(_("reopened"), auto_now_add=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason for reopening"))

    class Meta:
        ordering = ["sheet", "-version"]
        verbose_name = _("earlier version of a score sheet")
        verbose_name_plural = _("earlier versions of score sheets")

    def __str__(self) -> str:
        return f"{self.sheet} v{self.version}"
