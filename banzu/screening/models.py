from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.jobs.models import Job
from banzu.screening.enums import ArchiveSource, CheckCode, CheckStatus, EliminationReason

RATIO = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class ScreeningSettings(models.Model):
    """The edition's thresholds for flagging (made with their defaults on first use)."""

    edition = models.OneToOneField(
        Edition, on_delete=models.CASCADE, related_name="screening_settings"
    )
    copy_ratio_flag = models.DecimalField(
        _("flag a total copy ratio from"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.300"),
        validators=RATIO,
    )
    source_ratio_flag = models.DecimalField(
        _("flag a single-source ratio from"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.200"),
        validators=RATIO,
    )
    word_pdf_agreement = models.DecimalField(
        _("Word and PDF must agree at least"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.900"),
        validators=RATIO,
    )
    common_df = models.PositiveIntegerField(
        _("text in more documents than this is common text"),
        default=10,
        validators=[MinValueValidator(2)],
    )

    class Meta:
        verbose_name = _("screening settings")
        verbose_name_plural = _("screening settings")

    def __str__(self) -> str:
        return f"{self.edition}"


class CheckResult(models.Model):
    """The latest result of one automatic check of one application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="screening_checks"
    )
    code = models.CharField(_("check"), max_length=20, choices=CheckCode.choices)
    status = models.CharField(_("result"), max_length=10, choices=CheckStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    checked_at = models.DateTimeField(_("checked"), default=timezone.now)

    class Meta:
        ordering = ["application", "code"]
        constraints = [
            models.UniqueConstraint(fields=["application", "code"], name="one_result_per_check")
        ]

    def __str__(self) -> str:
        return f"{self.application} · {self.code}: {self.status}"


class ArchiveDocument(models.Model):
    """A past edition's published document, a source for the plagiarism check only: imported
    from a ZIP, or taken from an edition's published applications when it was published."""

    year = models.PositiveIntegerField(_("year"))
    enterprise_name = models.CharField(_("enterprise"), max_length=200)
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    title = models.CharField(_("experience title"), max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    text = models.TextField(blank=True, editable=False)
    error = models.TextField(_("error"), blank=True, editable=False)
    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(
        _("source"), max_length=20, choices=ArchiveSource.choices, default=ArchiveSource.IMPORT
    )
    # The published application the document was taken from (banzu.screening.published): one
    # archive document per application, so taking an edition in again adds nothing.
    application = models.OneToOneField(
        Application,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="archive_document",
        editable=False,
    )

    class Meta:
        ordering = ["-year", "enterprise_name", "team_name"]
        verbose_name = _("archive document")
        verbose_name_plural = _("archive documents")
        constraints = [models.UniqueConstraint(fields=["sha256"], name="archive_sha256_unique")]

    def __str__(self) -> str:
        return f"{self.year} · {self.enterprise_name} · {self.team_name}"


class SimilarityReport(models.Model):
    """The plagiarism figures of one application's materials from the latest scan."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="similarity_report"
    )
    # The scan or rescan that wrote the report.
    job = models.ForeignKey(Job, on_delete=models.SET_NULL, null=True, related_name="+")
    chars = models.PositiveIntegerField(default=0)
    copied_chars = models.PositiveIntegerField(default=0)
    copy_ratio = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    max_source_ratio = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal(0))
    self_copied_chars = models.PositiveIntegerField(default=0)
    copy_ratio_excluding_self = models.DecimalField(
        max_digits=5, decimal_places=4, default=Decimal(0)
    )
    common_chars = models.PositiveIntegerField(default=0)
    # [{"kind": "application"|"archive", "pk": …, "label": …, "same_owner": bool,
    #   "copied_chars": …, "ratio": …, "passages": [[start, end, source_start, source_end], …]}]
    sources = models.JSONField(default=list, blank=True)
    # [[start, end], …]: text shared with more documents than common_df (shown, never counted).
    common_spans = models.JSONField(default=list, blank=True)
    # The extracted text the offsets index (the materials' Word file, else its PDF).
    text = models.TextField(blank=True)
    error = models.TextField(blank=True)
    scanned_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.application}: {self.copy_ratio}"


class Decision(models.Model):
    """The province's screening decision on an application (the state change itself goes
    through banzu.applications.services.transition; this keeps the reason code)."""

    class Outcome(models.TextChoices):
        PASSED = "passed", _("Passed")
        ELIMINATED = "eliminated", _("Eliminated")
        DISQUALIFIED = "disqualified", _("Disqualified for plagiarism")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="screening_decisions"
    )
    outcome = models.CharField(_("decision"), max_length=20, choices=Outcome.choices)
    reason_code = models.CharField(
        _("reason"), max_length=20, choices=EliminationReason.choices, blank=True
    )
    reason_text = models.TextField(_("explanation"), blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application}: {self.outcome}"
