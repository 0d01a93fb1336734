"""The publicity window (公示期) of an edition and the objections (异议) filed during it.

A Publicity shows one sealed results version to the public from `starts_on` to `ends_on`
(a window of `working_days` working days, banzu.results.workdays). An Objection is filed on the
public form; the objector's identity (name, organisation, phone, e-mail) is shown to the admin
alone. The receipt number is random and unguessable: with the objector's e-mail it opens the
status page.
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.results.models import ResultsVersion

RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def new_receipt() -> str:
    """16 characters of a 32-letter alphabet: 80 random bits, shown as XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


class Publicity(models.Model):
    edition = models.OneToOneField(Edition, on_delete=models.PROTECT, related_name="publicity")
    version = models.ForeignKey(
        ResultsVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("results version shown"),
    )
    starts_on = models.DateField(_("first day"))
    working_days = models.PositiveSmallIntegerField(_("working days"))
    ends_on = models.DateField(_("last day"))
    extra_holidays = models.JSONField(_("additional days off"), default=list, blank=True)
    extra_workdays = models.JSONField(_("additional working days"), default=list, blank=True)
    covered_until = models.DateField(_("additional days entered up to"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    closed = models.BooleanField(default=False)
    published = models.BooleanField(default=False)
    # Final publication (banzu.publicity.publication): the commendation notice's number and
    # date are printed on the notice and on every certificate.
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notice_number = models.CharField(_("commendation notice number"), max_length=100, blank=True)
    notice_date = models.DateField(_("commendation notice date"), null=True, blank=True)

    class Meta:
        verbose_name = _("publicity")
        verbose_name_plural = _("publicity windows")

    def __str__(self) -> str:
        return f"{self.edition.year} {self.starts_on}–{self.ends_on}"

    def is_open_on(self, day: date) -> bool:
        return not self.closed and self.starts_on <= day <= self.ends_on

    def has_started(self, day: date) -> bool:
        return day >= self.starts_on

    def is_over_on(self, day: date) -> bool:
        """The window has closed: its last day has passed."""
        return day > self.ends_on


class ObjectionState(models.TextChoices):
    RECEIVED = "received", _("received")
    UPHELD = "upheld", _("upheld")
    NOT_UPHELD = "not_upheld", _("not upheld")
    OUTSIDE_SCOPE = "outside_scope", _("outside scope")


class ObjectorKind(models.TextChoices):
    PERSON = "person", _("an individual")
    ORGANISATION = "organisation", _("an organisation")


class Objection(models.Model):
    publicity = models.ForeignKey(Publicity, on_delete=models.PROTECT, related_name="objections")
    receipt = models.CharField(max_length=19, unique=True, default=new_receipt, editable=False)
    objector_kind = models.CharField(
        _("objection filed by"), max_length=20, choices=ObjectorKind.choices
    )
    real_name = models.CharField(_("real name"), max_length=100)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40)
    email = models.EmailField(_("e-mail"))
    application = models.ForeignKey(
        Application,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("team concerned"),
    )
    grounds = models.TextField(_("grounds"))
    state = models.CharField(
        _("state"), max_length=20, choices=ObjectionState.choices, default=ObjectionState.RECEIVED
    )
    admin_notes = models.TextField(_("notes"), blank=True)
    reply = models.TextField(_("reply to the objector"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    disqualified_version = models.ForeignKey(
        ResultsVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")

    def __str__(self) -> str:
        return self.receipt


class ObjectionFile(models.Model):
    class Role(models.TextChoices):
        LETTER = "letter", _("stamped letter")
        EVIDENCE = "evidence", _("evidence")

    objection = models.ForeignKey(Objection, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=20, choices=Role.choices)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=64)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=10)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ObjectionAttempt(models.Model):
    """One POST of the objection form from a hashed IP, for the per-IP rate limit."""

    ip_hash = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.ip_hash[:8]} {self.at}"
