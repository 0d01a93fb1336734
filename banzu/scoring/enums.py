from django.db import models
from django.utils.translation import gettext_lazy as _


class SheetStage(models.TextChoices):
    RECOMMENDER = "recommender", _("Recommender's preliminary scoring")
    MATERIALS = "materials", _("Expert review of the materials")


class SheetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted (locked)")
