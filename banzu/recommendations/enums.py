from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted to the province")


class StampedKind(models.TextChoices):
    """The copies the recommender stamps and scans (the notice's 盖章 forms)."""

    ATTACHMENT2 = "attachment2", _("Attachment 2, stamped by the recommender")
    ATTACHMENT1 = "attachment1", _("Attachment 1, stamped by the enterprise and the recommender")
