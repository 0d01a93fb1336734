from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchState(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted to the province")
