"""Certificates (证书) issued from a sealed results version, and every look at their public
verification page. A certificate's printed fields are frozen as JSON when it is issued: a later
version or a renamed team never changes a certificate already printed. The verification link
carries `token` (unguessable), never the serial number."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.results.models import ResultsVersion


class CertificateState(models.TextChoices):
    VALID = "valid", pgettext_lazy("certificate state", "Valid")
    REVOKED = "revoked", pgettext_lazy("certificate state", "Revoked")


class Certificate(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="certificates")
    version = models.ForeignKey(
        ResultsVersion, on_delete=models.PROTECT, related_name="certificates"
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="certificates"
    )
    serial = models.CharField(_("serial number"), max_length=40)
    token = models.CharField(max_length=64, unique=True)
    # association, edition, team, enterprise, award, notice_number, date (as printed)
    fields = models.JSONField(default=dict)
    state = models.CharField(
        _("status"), max_length=20, choices=CertificateState.choices, default=CertificateState.VALID
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["edition", "serial"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.UniqueConstraint(fields=["edition", "serial"], name="certificate_serial_once"),
            models.UniqueConstraint(
                fields=["version", "application"], name="certificate_once_per_version"
            ),
        ]

    def __str__(self) -> str:
        return self.serial

    @property
    def is_valid(self) -> bool:
        return self.state == CertificateState.VALID


class VerificationOutcome(models.TextChoices):
    VALID = "valid", _("Valid")
    REVOKED = "revoked", _("Revoked")
    UNKNOWN = "unknown", _("No such certificate")


class VerificationLog(models.Model):
    """One opening of a verification link; `certificate` is null for a forged token."""

    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, null=True, blank=True, related_name="verifications"
    )
    at = models.DateTimeField(auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=20, choices=VerificationOutcome.choices)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.outcome} {self.at:%Y-%m-%d %H:%M}"
