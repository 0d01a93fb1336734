"""The province's screening decisions. Each one moves the application through the one
transition function (its audit entry and the notice to the enterprise come from there) and keeps
the reason code beside it, so the summary can count by reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.core.errors import ServiceError
from banzu.screening.enums import EliminationReason
from banzu.screening.models import Decision, SimilarityReport


def _reason(code: EliminationReason, text: str) -> str:
    """The reason the enterprise and its recommender read: the category, then the words."""
    label = str(code.label)
    text = text.strip()
    return f"{label}：{text}" if text else label


def pass_application(application: Application, *, actor: User, ip: str | None = None) -> Decision:
    with transaction.atomic():
        application_services.transition(
            application, to=ApplicationState.SCREENED, actor=actor, ip=ip
        )
        return Decision.objects.create(
            application=application, outcome=Decision.Outcome.PASSED, decided_by=actor
        )


def eliminate(
    application: Application,
    *,
    actor: User,
    reason_code: EliminationReason,
    reason_text: str = "",
    ip: str | None = None,
) -> Decision:
    if reason_code == EliminationReason.OTHER and not reason_text.strip():
        raise ServiceError(_("Say why, when the reason is “Other”."))
    with transaction.atomic():
        application_services.transition(
            application,
            to=ApplicationState.ELIMINATED,
            actor=actor,
            reason=_reason(reason_code, reason_text),
            ip=ip,
        )
        return Decision.objects.create(
            application=application,
            outcome=Decision.Outcome.ELIMINATED,
            reason_code=reason_code,
            reason_text=reason_text.strip(),
            decided_by=actor,
        )


def evidence_of(application: Application) -> dict[str, Any]:
    """The plagiarism figures and sources at the moment of the decision (kept with it)."""
    report = SimilarityReport.objects.filter(application=application).first()
    if report is None:
        return {}
    return {
        "copy_ratio": str(report.copy_ratio),
        "max_source_ratio": str(report.max_source_ratio),
        "copied_chars": report.copied_chars,
        "chars": report.chars,
        "scanned_at": report.scanned_at.isoformat(),
        "sources": [
            {
                "kind": source.get("kind"),
                "pk": source.get("pk"),
                "label": source.get("label"),
                "copied_chars": source.get("copied_chars"),
                "passages": source.get("passages", [])[:50],
            }
            for source in report.sources[:10]
        ],
    }


def disqualify_for_plagiarism(
    application: Application, *, actor: User, reason_text: str, ip: str | None = None
) -> Decision:
    """严禁抄袭或剽窃他人成果: disqualified, with the similarity evidence attached."""
    if not reason_text.strip():
        raise ServiceError(_("Describe what was copied."))
    evidence = evidence_of(application)
    with transaction.atomic():
        application_services.transition(
            application,
            to=ApplicationState.DISQUALIFIED,
            actor=actor,
            reason=_reason(EliminationReason.PLAGIARISM, reason_text),
            ip=ip,
        )
        return Decision.objects.create(
            application=application,
            outcome=Decision.Outcome.DISQUALIFIED,
            reason_code=EliminationReason.PLAGIARISM,
            reason_text=reason_text.strip(),
            evidence=evidence,
            decided_by=actor,
        )


@dataclass(frozen=True)
class BulkResult:
    passed: int
    skipped: list[tuple[Application, str]]


def pass_many(applications: list[Application], *, actor: User, ip: str | None = None) -> BulkResult:
    """Pass each application that can pass; the others are listed with the reason."""
    passed, skipped = 0, []
    for application in applications:
        try:
            pass_application(application, actor=actor, ip=ip)
        except ServiceError as error:
            skipped.append((application, error.message))
        else:
            passed += 1
    return BulkResult(passed=passed, skipped=skipped)
