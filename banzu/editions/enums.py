from django.db import models
from django.utils.translation import gettext_lazy as _


class AggregationRule(models.TextChoices):
    MEAN = "mean", _("Mean of all experts")
    TRIMMED_MEAN = (
        "trimmed_mean",
        _("Mean without the highest and the lowest score (from a minimum number of experts)"),
    )


class AwardMode(models.TextChoices):
    QUOTA = "quota", _("By rank quota")
    THRESHOLD = "threshold", _("By score threshold")
    SHARE = "share", _("By share of the ranked teams (%)")


class PresentationSheetSource(models.TextChoices):
    OWN_ITEMS = "own_items", _("The edition's own presentation items")
    RUBRIC_SCALED = (
        "rubric_scaled",
        _("The materials rubric (Attachment 3), scaled to the presentation weight"),
    )
