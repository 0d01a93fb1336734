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


class JobError(models.TextChoices):
    """Why the system ended a job, stored as a code and shown in the reader's language (the
    technical cause, in English, stays in `Job.error` for the log and the admin)."""

    WORKER_LOST = (
        "worker_lost",
        _(
            "The worker stopped while the job was running (a restart or a crash). "
            "Please start it again."
        ),
    )
    WORKER_LOST_AGAIN = (
        "worker_lost_again",
        _(
            "The worker stopped every time this job ran, so it was given up. "
            "Please tell the administrator."
        ),
    )
    NOT_STARTED = (
        "not_started",
        _("The job waited too long for the worker and was cancelled. Please start it again."),
    )
    NOT_QUEUED = "not_queued", _("The job could not be handed to the worker. Please try again.")


class Actor(StrEnum):
    SYSTEM = "system"  # the worker (and the expiry command)
    USER = "user"  # the person who started the job
