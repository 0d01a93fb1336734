from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from banzu.accounts.enums import Ownership, RecommenderKind, Role
from banzu.accounts.validators import validate_phone
from banzu.core import access


class Recommender(models.Model):
    """A nominating body: a city construction association, a provincial professional
    association or the provincial construction investment group."""

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("There is already a recommender of this name.")},
    )
    short_name = models.CharField(_("short name"), max_length=20)
    kind = models.CharField(_("kind"), max_length=30, choices=RecommenderKind.choices)
    number_prefix = models.CharField(
        _("recommendation number prefix"),
        max_length=10,
        unique=True,
        error_messages={
            "unique": _(
                "Another recommender already uses this prefix: recommendation numbers must "
                "tell the recommenders apart."
            )
        },
        help_text=_("Used in recommendation numbers, e.g. 杭 in 杭-2026-001."),
    )
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=30, blank=True, validators=[validate_phone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("recommender")
        verbose_name_plural = _("recommenders")

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """The applying unit (单位), as on its official seal."""

    name = models.CharField(
        _("enterprise full name"),
        max_length=200,
        unique=True,
        error_messages={
            "unique": _(
                "An enterprise of this name is already registered. If it is yours, a colleague "
                "may have registered it: ask the provincial association to add your account "
                "to it."
            )
        },
        help_text=_("The full legal name, exactly as on the official seal."),
    )
    industry = models.CharField(_("industry"), max_length=100)
    ownership = models.CharField(_("ownership type"), max_length=20, choices=Ownership.choices)
    address = models.CharField(_("mailing address"), max_length=200)
    supervising_department = models.CharField(_("supervising department"), max_length=200)
    supervising_contact = models.CharField(_("department contact"), max_length=50)
    supervising_phone = models.CharField(
        _("department phone"), max_length=30, validators=[validate_phone]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    # One word for the address everywhere (Django's own verbose name reads 电子邮件地址).
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.APPLICANT)
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[validate_phone])
    recommender = models.ForeignKey(
        Recommender,
        verbose_name=_("recommender"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    # Set only by the demo loader; a system check refuses to run production with such accounts.
    is_demo = models.BooleanField(default=False, editable=False)
    # Registered by its owner, whose e-mail address is not confirmed yet: the account stays
    # inactive until the mailed link is opened (banzu.accounts.registration).
    registration_pending = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="recommender_only_for_recommender_staff",
                condition=Q(role=Role.RECOMMENDER, recommender__isnull=False)
                | (~Q(role=Role.RECOMMENDER) & Q(recommender__isnull=True)),
            ),
            models.CheckConstraint(
                name="enterprise_only_for_applicants",
                condition=Q(role=Role.APPLICANT) | Q(enterprise__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    @property
    def is_provincial_admin(self) -> bool:
        return access.is_admin(self)  # for templates; the policy is core.access's

    @property
    def is_recommender_staff(self) -> bool:
        return access.is_recommender_staff(self)

    @property
    def is_applicant(self) -> bool:
        return access.is_applicant(self)

    @property
    def is_expert(self) -> bool:
        return access.is_expert(self)

    @property
    def is_secretary(self) -> bool:
        return access.is_secretary(self)


class RegistrationAttempt(models.Model):
    """One request from an address that sends a mail (a registration or a password reset); the
    per-address limit counts the last hour's of the same purpose (banzu.accounts.throttling)."""

    REGISTRATION = "register"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose, not a password

    purpose = models.CharField(max_length=20, default=REGISTRATION)
    ip_address = models.GenericIPAddressField(null=True)
    attempted_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip_address", "attempted_at"])]

    def __str__(self) -> str:
        return f"{self.ip_address} {self.attempted_at:%Y-%m-%d %H:%M}"
