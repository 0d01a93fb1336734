from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Recommender
from banzu.applications.models import Application, StoredFile
from banzu.editions.models import Edition
from banzu.recommendations.enums import BatchState, StampedKind


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


class StampedCopy(StoredFile):
    """A scan the recommender uploads of a form it stamped: its batch's Attachment 2, or the
    Attachment 1 of one application it recommended (stamped by the enterprise and by it, with
    the recommendation number). Replacing a scan keeps the old row (superseded) and its bytes."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="stamped_copies")
    kind = models.CharField(_("kind"), max_length=20, choices=StampedKind.choices)
    # Attachment 1's application; empty for Attachment 2, which is the batch's.
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stamped_copies",
    )

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        verbose_name = _("stamped copy")
        verbose_name_plural = _("stamped copies")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=StampedKind.ATTACHMENT2, application__isnull=True)
                | Q(kind=StampedKind.ATTACHMENT1, application__isnull=False),
                name="stamped_copy_of_its_kind",
            ),
            models.UniqueConstraint(
                fields=["batch"],
                condition=Q(kind=StampedKind.ATTACHMENT2, superseded_at__isnull=True),
                name="one_current_stamped_attachment2",
            ),
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(kind=StampedKind.ATTACHMENT1, superseded_at__isnull=True),
                name="one_current_stamped_attachment1",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name
