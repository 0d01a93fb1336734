from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to recommender")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    RECOMMENDED = "recommended", _("Recommended")
    SCREENED = "screened", _("Passed screening")
    ELIMINATED = "eliminated", _("Eliminated in screening")
    UNDER_REVIEW = "under_review", _("Under expert review")
    SCORED = "scored", _("Materials scored")
    PRESENTED = "presented", _("Presented")
    RANKED = "ranked", _("Ranked")
    PUBLISHED = "published", _("Published")
    DISQUALIFIED = "disqualified", _("Disqualified")


class DocumentKind(models.TextChoices):
    MATERIALS_DOCX = "materials_docx", _("Team-building materials (Word)")
    MATERIALS_PDF = "materials_pdf", _("Team-building materials (PDF)")
    PRESENTATION = "presentation", _("Presentation (PPT)")
    SIGNED_FORM = "signed_form", _("Stamped application form (scan, PDF)")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    INDUSTRY = "industry", _("Industry association")
    ENTERPRISE = "enterprise", _("Enterprise")


class HonourRecipient(models.TextChoices):
    TEAM = "team", _("Team (collective)")
    INDIVIDUAL = "individual", _("Individual member")
