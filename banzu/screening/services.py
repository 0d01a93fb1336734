"""The province's screening decisions. Each one moves the application through the one
transition function (its audit entry and the notice to the enterprise come from there) and keeps
the reason code beside it, so the summary can count by reason.

The screening of a recommender's applications starts when its batch is submitted: before that,
no decision is taken on them. A pass from the workspace (`pass_after_checks`, `pass_many`) takes
an application whose automatic checks all passed; one whose checks failed, ask for a look or have
not finished passes only on its own, with the admin's reason, which the journal keeps."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.screening import provenance, selectors
from banzu.screening.enums import EliminationReason
from banzu.screening.models import CheckResult, Decision, SimilarityReport

actions.register("screening.pass_confirmed")


def _reason(code: EliminationReason, text: str) -> str:
    """The reason the enterprise and its recommender read: the category, then the words."""
    label = str(code.label)
    text = text.strip()
    return f"{label}：{text}" if text else label


def require_batch_submitted(application: Application) -> None:
    """No screening decision before the recommender has submitted its batch."""
    if not selectors.batch_submitted(application):
        raise ServiceError(
            _(
                "%(recommender)s has not submitted its batch yet: the screening of its "
                "applications starts when it does."
            )
            % {"recommender": application.recommender.name if application.recommender else ""},
            code="batch_open",
        )


def pass_application(
    application: Application, *, actor: User, ip: str | None = None, confirmation: str = ""
) -> Decision:
    """The pass itself, once the batch is in. It does not look at the automatic checks: the
    workspace passes through `pass_after_checks`; the demo's builders, which run no checks,
    call this."""
    require_batch_submitted(application)
    with transaction.atomic():
        application_services.transition(
            application, to=ApplicationState.SCREENED, actor=actor, ip=ip
        )
        return Decision.objects.create(
            application=application,
            outcome=Decision.Outcome.PASSED,
            reason_text=confirmation.strip(),
            decided_by=actor,
        )


def open_checks_of(application: Application) -> list[selectors.OpenCheck]:
    return selectors.open_checks(CheckResult.objects.filter(application=application))


def pass_after_checks(
    application: Application,
    *,
    actor: User,
    confirmation: str = "",
    ip: str | None = None,
    checks: list[selectors.OpenCheck] | None = None,
) -> Decision:
    """The admin's pass: every automatic check passed, or the open ones (failed, asking for a
    look, unfinished) confirmed with a reason, which the journal keeps with the checks it
    overrode. `checks` are the open checks when the caller has read them already."""
    require_batch_submitted(application)
    still_open = open_checks_of(application) if checks is None else checks
    confirmation = confirmation.strip()
    if still_open and not confirmation:
        raise ServiceError(
            _(
                "Its automatic checks are not all passed (%(checks)s): pass it on its own "
                "decision page, with the reason."
            )
            % {"checks": "; ".join(str(check) for check in still_open)},
            code="checks_open",
        )
    with transaction.atomic():
        decision = pass_application(application, actor=actor, ip=ip, confirmation=confirmation)
        if still_open:
            record(
                action="screening.pass_confirmed",
                actor=actor,
                target=application,
                data={
                    "checks": {check.code: check.status or "not_run" for check in still_open},
                    "reason": confirmation,
                },
                ip=ip,
            )
    return decision


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
    require_batch_submitted(application)
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
    """The plagiarism figures and sources at the moment of the decision (kept with it), with
    what the screener saw of which came first: both sides' submission times, an archive
    source's year, and whether the pair was mutual (both in this edition)."""
    report = SimilarityReport.objects.filter(application=application).first()
    if report is None:
        return {}
    dates, sources = provenance.dated_sources(application, list(report.sources[:10]))
    return {
        "copy_ratio": str(report.copy_ratio),
        "max_source_ratio": str(report.max_source_ratio),
        "copied_chars": report.copied_chars,
        "chars": report.chars,
        "scanned_at": report.scanned_at.isoformat(),
        "submitted_at": _iso(dates.submitted_at),
        "sources": [
            {
                "kind": source.get("kind"),
                "pk": source.get("pk"),
                "label": source.get("label"),
                "copied_chars": source.get("copied_chars"),
                "ratio": source.get("ratio"),
                "mutual": source["mutual"],
                "submitted_at": _iso(source["dates"].submitted_at),
                "year": source["dates"].year,
                "passages": source.get("passages", [])[:50],
            }
            for source in sources
        ],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def disqualify_for_plagiarism(
    application: Application, *, actor: User, reason_text: str, ip: str | None = None
) -> Decision:
    """严禁抄袭或剽窃他人成果: disqualified, with the similarity evidence attached."""
    if not reason_text.strip():
        raise ServiceError(_("Describe what was copied."))
    require_batch_submitted(application)
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
    """Pass each application whose batch is in and whose automatic checks all passed; the
    others are listed with the reason (one with open checks is confirmed on its own)."""
    passed, skipped = 0, []
    for application in applications:
        try:
            pass_after_checks(application, actor=actor, ip=ip)
        except ServiceError as error:
            skipped.append((application, error.message))
        else:
            passed += 1
    return BulkResult(passed=passed, skipped=skipped)
