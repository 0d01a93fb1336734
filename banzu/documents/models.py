from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banzu.accounts.models import Recommender
from banzu.editions.models import Edition


class PackageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_STATES = (PackageState.QUEUED, PackageState.RUNNING)


class PackageBuild(models.Model):
    """One build of a recommender's submission package (a ZIP), made by a background task.

    The file lives in the private store under a generated name; only banzu.documents.tasks
    changes the state, the counters and the file fields."""

    recommender = models.ForeignKey(
        Recommender, on_delete=models.PROTECT, related_name="package_builds"
    )
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="package_builds")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=PackageState.choices,
        default=PackageState.QUEUED,
        editable=False,
    )
    done = models.PositiveIntegerField(default=0, editable=False)
    total = models.PositiveIntegerField(default=0, editable=False)
    stored_name = models.CharField(max_length=80, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), null=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, editable=False)
    # Moved on at each step: a build whose worker stopped is recognised as stale.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("submission package")
        verbose_name_plural = _("submission packages")
        indexes = [models.Index(fields=["recommender", "edition", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.recommender} · {self.edition.year} · {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
