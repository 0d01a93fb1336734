from django.db import models
from django.utils.translation import gettext_lazy as _


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("Awaiting the conflict declaration")
    CONFIRMED = "confirmed", _("No conflict declared")
    CONFLICT = "conflict", _("Conflict declared")
    REMOVED = "removed", _("Removed by the admin")


ACTIVE_ASSIGNMENT_STATES = (AssignmentState.PENDING, AssignmentState.CONFIRMED)


class AssignmentSource(models.TextChoices):
    AUTOMATIC = "auto", _("Automatic")
    MANUAL = "manual", _("By hand")
