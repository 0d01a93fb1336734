from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)


class Actor(StrEnum):
    SYSTEM = "system"  # the worker (and the expiry command)
    USER = "user"  # the person who started the job
