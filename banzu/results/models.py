"""The edition's results: their settings, and each computed version of the list. A sealed
version holds everything it was computed from (banzu.results.versions) and is never changed:
a later change makes a new version with its reason."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banzu.editions.models import Edition
from banzu.results.enums import TieRule, VersionState


class ResultsSettings(models.Model):
    """How the edition's results are computed and shown, edited in the UI. Created with these
    defaults on first use (banzu.results.versions.settings_for). How the award tiers are
    assigned is the edition's (Edition.award_mode, with its AwardTier rows): the settings page
    edits it there."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="results_settings"
    )
    tie_rule = models.CharField(
        _("equal totals"),
        max_length=20,
        choices=TieRule.choices,
        default=TieRule.PRESENTATION_FIRST,
    )
    non_presenter_tier = models.CharField(
        _("award for teams that did not present"),
        max_length=50,
        blank=True,
        help_text=_("For example 优秀奖. Leave blank for none."),
    )
    room_award = models.CharField(
        _("award for the best presentation of each room"),
        max_length=50,
        blank=True,
        help_text=_("For example 最佳发布奖. Leave blank for none."),
    )
    notice_ranked = models.BooleanField(
        _("list the winners by rank in the notice"),
        default=False,
        help_text=_("Otherwise the notice says 排名不分先后."),
    )
    show_scores_in_publicity = models.BooleanField(
        _("show the scores in the publicity list"), default=False
    )
    show_comments_to_applicants = models.BooleanField(
        _("show the experts' comments (without names) to applicants"), default=False
    )
    publicity_working_days = models.PositiveSmallIntegerField(
        _("publicity window (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("results settings")
        verbose_name_plural = _("results settings")

    def __str__(self) -> str:
        return f"{self.edition}"


class ResultsVersion(models.Model):
    """One computed list of the edition. `payload` holds every counted sheet, the rules and
    settings used and every row; `sha256` is taken over its canonical JSON."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="results_versions")
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(
        _("state"), max_length=20, choices=VersionState.choices, default=VersionState.PREVIEW
    )
    payload = models.JSONField(default=dict)
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason for a new version"), blank=True)
    previous = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["edition", "number"]
        verbose_name = _("results version")
        verbose_name_plural = _("results versions")
        constraints = [
            models.UniqueConstraint(fields=["edition", "number"], name="results_version_once"),
            models.CheckConstraint(
                condition=Q(number__lt=2) | ~Q(reason=""), name="results_version_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.edition.year} v{self.number}"
