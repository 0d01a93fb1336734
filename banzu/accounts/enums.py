from django.db import models
from django.utils.translation import gettext_lazy as _

from banzu.core.access import Role as Role  # the roles belong to the one access policy


class RecommenderKind(models.TextChoices):
    CITY = "city", _("City construction association")
    PROVINCIAL_ASSOCIATION = (
        "provincial_association",
        _("Provincial professional association"),
    )
    INVESTMENT_GROUP = "investment_group", _("Provincial construction investment group")


class Ownership(models.TextChoices):
    STATE = "state", _("State-owned")
    COLLECTIVE = "collective", _("Collective")
    PRIVATE = "private", _("Private")
    JOINT_STOCK = "joint_stock", _("Joint-stock")
    FOREIGN = "foreign", _("Foreign-invested")
    HK_MACAO_TAIWAN = "hmt", _("Hong Kong, Macao or Taiwan invested")
    OTHER = "other", _("Other")
