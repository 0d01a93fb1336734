from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The values are banzu.results.core's (TieRule; TierMode's are banzu.editions.enums.AwardMode's):
# the pure core takes them as they are.


class TieRule(models.TextChoices):
    PRESENTATION_FIRST = (
        "presentation_first",
        _("Higher presentation score first, then higher materials score, then an equal rank"),
    )
    MATERIALS_FIRST = (
        "materials_first",
        _("Higher materials score first, then higher presentation score, then an equal rank"),
    )
    EQUAL = "equal", _("Equal totals share a rank")


class VersionState(models.TextChoices):
    PREVIEW = "preview", pgettext_lazy("results version state", "Preview")
    SEALED = "sealed", pgettext_lazy("results version state", "Sealed")


class ApartReason(models.TextChoices):
    """Why an application of the edition is listed apart from the ranked teams."""

    NOT_PRESENTED = "not_presented", _("Did not present")
    ELIMINATED = "eliminated", _("Eliminated in screening")
    DISQUALIFIED = "disqualified", _("Disqualified")
    # The two below keep the results from being computed until they are resolved.
    NO_PRESENTATION_SCORE = "no_presentation_score", _("No presentation score yet")
    REVIEW_UNFINISHED = "review_unfinished", _("Expert review not finished")
