from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banzu.jobs.enums import ACTIVE_STATES, JobState


class Job(models.Model):
    """One background job of any kind, with the progress a page polls.

    The scope says what the job is about without a foreign key to a stage (banzu.jobs sits below
    the stages): a type, an id, the edition's id if any, and `scope_key` joining them, which the
    pages look jobs up by. Only banzu.jobs.services changes the state (through the workflow
    engine), the counters and the file fields."""

    kind = models.CharField(_("kind"), max_length=50)
    scope_type = models.CharField(max_length=30)
    scope_id = models.PositiveBigIntegerField()
    edition_pk = models.PositiveIntegerField(null=True, blank=True)
    scope_key = models.CharField(max_length=80)
    # One queued or running job per kind and scope at a time (a second click starts nothing).
    exclusive = models.BooleanField(default=True)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=JobState.choices,
        default=JobState.QUEUED,
        editable=False,
    )
    done = models.PositiveIntegerField(default=0, editable=False)
    total = models.PositiveIntegerField(default=0, editable=False)
    summary = models.JSONField(default=dict, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    # When the system ended the job (its worker stopped, the queue refused it): a code of
    # banzu.jobs.enums.JobError, shown in the reader's language instead of `error`.
    error_code = models.CharField(max_length=30, blank=True, editable=False)
    # How many times a worker started the job: a resumable job whose worker stopped is queued
    # again, up to banzu.jobs.services.MAX_ATTEMPTS runs.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True, editable=False)
    # The heartbeat: moved on at every step and every few seconds while a worker runs the job
    # (banzu.jobs.services.Heartbeat), so a job whose worker stopped is recognised within a minute.
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # The job's file in the private store: what it made (a package) or what it reads (an upload).
    stored_name = models.CharField(max_length=80, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["kind", "scope_key", "-created_at"], name="jobs_kind_scope"),
            models.Index(fields=["state", "updated_at"], name="jobs_state_updated"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope_key"],
                condition=Q(exclusive=True, state__in=["queued", "running"]),
                name="jobs_one_active_per_scope",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.scope_key} · {self.state}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
