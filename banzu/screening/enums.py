from django.db import models
from django.utils.translation import gettext_lazy as _


class CheckCode(models.TextChoices):
    """The automatic checks, in the order the workspace shows them."""

    FIELDS = "fields", _("Required fields")
    FILES = "files", _("Required files")
    WORD_PDF = "word_pdf", _("Word and PDF agree")
    PRESENTATION = "presentation", _("PPT readable")
    STAMPED_FORM = "stamped_form", _("Stamped form")
    DECLARATIONS = "declarations", _("Declarations")
    DEADLINE = "deadline", _("Before the deadline")
    DUPLICATE = "duplicate", _("Not entered twice")
    PLAGIARISM = "plagiarism", _("Originality")


class CheckStatus(models.TextChoices):
    PASS = "pass", _("Pass")
    WARN = "warn", _("Check")
    FAIL = "fail", _("Fail")
    PENDING = "pending", _("Pending")


class EliminationReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    LATE = "late", _("Late")
    INELIGIBLE = "ineligible", _("Ineligible")
    PLAGIARISM = "plagiarism", _("Plagiarism")
    WORD_PDF_MISMATCH = "word_pdf_mismatch", _("Word and PDF differ")
    OTHER = "other", _("Other")


class ArchiveSource(models.TextChoices):
    """Where an archive document came from."""

    IMPORT = "import", _("Imported ZIP")
    PUBLICATION = "publication", _("Published edition")
