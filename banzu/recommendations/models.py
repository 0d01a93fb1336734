from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Recommender
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState


class Batch(models.Model):
    """A recommender's batch for one edition: its quota, its number sequence, its submission."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="batches")
    recommender = models.ForeignKey(Recommender, on_delete=models.PROTECT, related_name="batches")
    # Only banzu.recommendations.services.transition_batch changes state.
    state = models.CharField(
        _("state"), max_length=20, choices=BatchState.choices, default=BatchState.OPEN
    )
    quota = models.PositiveIntegerField(
        _("recommendation quota"),
        null=True,
        blank=True,
        help_text=_("The most applications this recommender may recommend; empty for no limit."),
    )
    # The last sequence number handed out; numbers are never reused, so gaps are possible.
    last_number = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Set when the provincial admin reopens a batch: its resubmission is not held to the deadline.
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_reason = models.TextField(_("reason for reopening"), blank=True)

    class Meta:
        ordering = ["recommender__sort_order"]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")
        constraints = [
            models.UniqueConstraint(fields=["edition", "recommender"], name="one_batch_per_edition")
        ]

    def __str__(self) -> str:
        return f"{self.recommender} · {self.edition.year}"
