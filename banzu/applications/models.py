from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from banzu.accounts.models import Enterprise, Recommender
from banzu.accounts.validators import validate_phone
from banzu.applications import snapshot
from banzu.applications.enums import (
    ApplicationState,
    DocumentKind,
    HonourLevel,
    HonourRecipient,
)
from banzu.editions.models import Edition

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def percent_field(label: StrOrPromise) -> models.DecimalField[Decimal | None, Decimal | None]:
    return models.DecimalField(
        label, max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )


def count_field(label: StrOrPromise) -> models.PositiveIntegerField[int | None, int | None]:
    return models.PositiveIntegerField(label, null=True, blank=True)


class Team(models.Model):
    """The enterprise's most basic formal unit (班组)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(
        _("team name"),
        max_length=100,
        help_text=_("The team's own name, without the parent unit's name (不挂上级单位)."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Application(models.Model):
    """One team's entry in one edition: every field of Attachment 1 (申报表)."""

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="applications")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="applications")
    recommender = models.ForeignKey(
        Recommender,
        verbose_name=_("recommender"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    # Only banzu.applications.workflow.transition changes these two.
    state = models.CharField(
        _("state"),
        max_length=20,
        choices=ApplicationState.choices,
        default=ApplicationState.DRAFT,
        editable=False,
    )
    state_changed_at = models.DateTimeField(_("state changed"), null=True, editable=False)
    state_reason = models.TextField(_("reason"), blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, editable=False)
    # The enterprise's Attachment 1 lines as they were at the last submission (see snapshot.py).
    submitted_enterprise = models.JSONField(default=dict, blank=True, editable=False)
    # NULL, not "", until assigned: the per-edition unique constraint must ignore the unassigned.
    recommendation_number = models.CharField(  # noqa: DJ001
        _("recommendation number"), max_length=30, null=True, blank=True, editable=False
    )
    # Optimistic locking: a save from a stale form is refused, never merged.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    experience_title = models.CharField(_("experience title"), max_length=200, blank=True)
    member_count = count_field(_("team members"))
    contact_name = models.CharField(_("team contact"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("team contact phone"), max_length=30, blank=True, validators=[validate_phone]
    )

    work_completion_rate = percent_field(_("work completion rate %"))
    quality_pass_rate = percent_field(_("quality assessment pass rate %"))
    nonconforming_count = count_field(_("nonconforming products/services"))
    accident_count = count_field(_("annual quality and safety accidents"))
    complaint_count = count_field(_("annual customer complaints"))
    first_pass_rate = percent_field(_("first-pass rate of products/services %"))
    training_people = count_field(_("annual training: people"))
    training_hours = count_field(_("annual training: hours"))
    improvement_participation_rate = percent_field(_("improvement activity participation rate %"))
    quality_cost = models.DecimalField(
        _("quality cost (10k CNY/year)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )

    narrative_team = models.TextField(
        _("1. Members, duties, main work, team culture and vision"), blank=True
    )
    narrative_management = models.TextField(_("2. Basic management"), blank=True)
    narrative_skills = models.TextField(
        _("3. Professional knowledge, skills training and use of tools and methods"),
        blank=True,
    )
    narrative_improvement = models.TextField(
        _("4. Quality improvement and innovation capability"), blank=True
    )
    narrative_results = models.TextField(
        _("5. Management features, achievements and evaluation results"), blank=True
    )
    narrative_honours = models.TextField(
        _("6. Honours of the last three years (collective and individual)"), blank=True
    )

    no_accident_declared = models.BooleanField(
        _(
            "We declare that the team has had no quality, safety or environmental accident "
            "in the last three years."
        ),
        default=False,
    )
    originality_pledged = models.BooleanField(
        _(
            "We pledge that the materials are the team's own work, with nothing copied or "
            "plagiarised from others."
        ),
        default=False,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["edition", "team"], name="one_application_per_team"),
            models.UniqueConstraint(
                fields=["edition", "recommendation_number"],
                condition=Q(recommendation_number__isnull=False),
                name="recommendation_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["recommender", "state"])]

    def __str__(self) -> str:
        return f"{self.team.name} · {self.edition.year}"

    @property
    def enterprise(self) -> Enterprise:
        return self.team.enterprise

    @property
    def is_editable_state(self) -> bool:
        return self.state == ApplicationState.DRAFT

    @property
    def is_returned(self) -> bool:
        """Back in draft after a submission, with the recommender's reason: returned."""
        return (
            self.state == ApplicationState.DRAFT
            and self.submitted_at is not None
            and bool(self.state_reason)
        )

    @property
    def state_label(self) -> str:
        """The state as the people involved call it: a returned draft is "returned"."""
        if self.is_returned:
            return str(_("Returned"))
        return str(self.get_state_display())

    @property
    def shows_submitted_enterprise(self) -> bool:
        return bool(self.submitted_enterprise) and self.state not in (
            ApplicationState.DRAFT,
            ApplicationState.WITHDRAWN,
        )

    @property
    def shown_enterprise(self) -> snapshot.EnterpriseDetails:
        """The enterprise's details this application shows (and Attachment 1 prints): as
        submitted once it is with the recommender or beyond, live while the applicant edits."""
        if self.shows_submitted_enterprise:
            return snapshot.from_snapshot(self.submitted_enterprise)
        return snapshot.live(self.team.enterprise)

    @property
    def enterprise_changed_since_submission(self) -> list[str]:
        """Labels of the enterprise's fields changed since this application was submitted."""
        if not self.shows_submitted_enterprise:
            return []
        names = snapshot.changed_fields(self.submitted_enterprise, self.team.enterprise)
        return [
            str(getattr(Enterprise._meta.get_field(name), "verbose_name", name)) for name in names
        ]


class Honour(models.Model):
    """A row of part 6: an honour of the team or a member in the last three years."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="honours")
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("honour"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=HonourLevel.choices)
    recipient = models.CharField(_("awarded to"), max_length=20, choices=HonourRecipient.choices)
    recipient_name = models.CharField(_("member name"), max_length=50, blank=True)
    awarded_by = models.CharField(_("awarded by"), max_length=200)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class StoredFile(models.Model):
    """A file a user uploaded, checked and kept in the file store (banzu.core.filestore) under
    `stored_name`, with its SHA-256. Replacing one keeps the old row (superseded) and its bytes."""

    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=80, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class Document(StoredFile):
    """An uploaded file. Replacing a file keeps the old row (superseded) and its bytes."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_document_per_kind",
            )
        ]

    def __str__(self) -> str:
        return self.original_name
