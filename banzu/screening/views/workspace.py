"""The screening workspace (the provincial admin's only): the list with the checks' marks,
a decision per application, passing many at once, and the summary."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core.access import require_admin
from banzu.core.params import int_param
from banzu.core.responses import attachment_response
from banzu.core.service_calls import run_service
from banzu.documents.render import CONTENT_TYPES
from banzu.documents.render import render as render_document
from banzu.editions.models import Edition
from banzu.editions.resolver import edition_or_404
from banzu.screening import jobs, selectors, services
from banzu.screening.enums import CheckCode, EliminationReason
from banzu.screening.forms import BulkPassForm, DecisionForm, SettingsForm
from banzu.screening.layouts import summary_document
from banzu.screening.permissions import (
    screened_application_or_404,
)
from banzu.screening.services_checks import settings_for

actions.register("screening.settings")


def _edition(request: HttpRequest) -> Edition:
    """The admin's gate (the page does not exist for anyone else), then the page's edition."""
    require_admin(request, "screening")
    return edition_or_404(request)


def _filters(request: HttpRequest) -> selectors.Filters:
    return selectors.Filters(
        recommender=int_param(request.GET.get("recommender")),
        industry=request.GET.get("industry", ""),
        check=request.GET.get("check", ""),
        state=request.GET.get("state", ""),
    )


@login_required
@require_GET
def workspace(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    filters = _filters(request)
    rows = selectors.workspace_rows(edition, filters)
    return render(
        request,
        "screening/workspace.html",
        {
            "edition": edition,
            "rows": rows,
            "tally": selectors.tally(rows),
            "check_counts": selectors.check_counts(edition),
            "filters": filters,
            "choices": selectors.filter_choices(edition),
            "check_codes": CheckCode.choices,
            "states": [
                (s.value, s.label)
                for s in (
                    ApplicationState.RECOMMENDED,
                    ApplicationState.SCREENED,
                    ApplicationState.ELIMINATED,
                    ApplicationState.DISQUALIFIED,
                )
            ],
            "latest_scan": jobs.latest(edition, jobs.SCAN),
            "latest_checks": jobs.latest(edition, jobs.CHECKS),
            "recommended_state": ApplicationState.RECOMMENDED,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = screened_application_or_404(request, pk)
    open_checks = services.open_checks_of(application)
    waiting = not selectors.batch_submitted(application)
    form = DecisionForm(request.POST or None, checks_open=bool(open_checks))
    if (
        request.method == "POST"
        and form.is_valid()
        and run_service(
            request,
            lambda: _decide(
                application,
                form.cleaned_data,
                actor=request.user,
                ip=client_ip(request),
                checks=open_checks,
            ),
            success=lambda _decided: (
                _("%(team)s: %(state)s.")
                % {"team": application.team.name, "state": _state_label(application.pk)}
            ),
        )
    ):
        return redirect("screening:workspace")
    checks = {c.code: c for c in application.screening_checks.all()}
    return render(
        request,
        "screening/decide.html",
        {
            "application": application,
            "form": form,
            "marks": [(code, label, checks.get(code)) for code, label in CheckCode.choices],
            "report": getattr(application, "similarity_report", None),
            "decisions": application.screening_decisions.select_related("decided_by"),
            "open_checks": open_checks,
            "waiting_for_batch": waiting,
            "undecided": application.state == ApplicationState.RECOMMENDED,
        },
    )


def _decide(
    application: Application,
    data: dict[str, Any],
    *,
    actor: User,
    ip: str | None,
    checks: list[selectors.OpenCheck],
) -> None:
    decision = data["decision"]
    if decision == DecisionForm.PASS:
        services.pass_after_checks(
            application,
            actor=actor,
            confirmation=data.get("confirmation", ""),
            ip=ip,
            checks=checks,
        )
    elif decision == DecisionForm.ELIMINATE:
        services.eliminate(
            application,
            actor=actor,
            reason_code=EliminationReason(data["reason_code"]),
            reason_text=data["reason_text"],
            ip=ip,
        )
    else:
        services.disqualify_for_plagiarism(
            application, actor=actor, reason_text=data["reason_text"], ip=ip
        )


def _state_label(pk: int) -> str:
    return str(Application.objects.get(pk=pk).get_state_display())


@login_required
@require_http_methods(["GET", "POST"])
def edit_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The edition's thresholds for flagging; a change is in the journal."""
    edition = _edition(request)
    current = settings_for(edition)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        record(
            action="screening.settings",
            actor=request.user,
            target=saved,
            data={name: str(form.cleaned_data[name]) for name in form.changed_data},
            ip=client_ip(request),
        )
        messages.success(
            request, _("Screening settings saved. Run the checks again to apply them.")
        )
        return redirect("screening:workspace")
    return render(request, "screening/settings.html", {"edition": edition, "form": form})


@login_required
@require_POST
def start_checks(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    jobs.start_checks(edition=edition, user=request.user, ip=client_ip(request))
    messages.success(request, _("The automatic checks are running in the background."))
    return redirect("screening:workspace")


@login_required
@require_POST
def pass_many(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    candidates = {
        a.pk: a for a in selectors.in_screening(edition).filter(state=ApplicationState.RECOMMENDED)
    }
    form = BulkPassForm(request.POST, choices=[(pk, str(pk)) for pk in candidates])
    if not form.is_valid():
        messages.error(request, _("Tick the applications to pass."))
        return redirect("screening:workspace")
    chosen = [candidates[pk] for pk in form.cleaned_data["applications"]]
    result = services.pass_many(chosen, actor=request.user, ip=client_ip(request))
    messages.success(request, _("%(count)s passed the screening.") % {"count": result.passed})
    if result.skipped:
        messages.warning(
            request,
            _(
                "%(count)s not passed: an application whose checks are not all passed is "
                "decided on its own page, with a reason."
            )
            % {"count": len(result.skipped)},
        )
    for application, message in result.skipped:
        messages.warning(request, f"{application.team.name}: {message}")
    return redirect("screening:workspace")


@login_required
@require_GET
def summary(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    rows, totals = selectors.summary(edition)
    return render(
        request,
        "screening/summary.html",
        {"edition": edition, "rows": rows, "totals": totals, "reasons": EliminationReason.choices},
    )


@login_required
@require_GET
def summary_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    rows, totals = selectors.summary(edition)
    document = summary_document(edition, rows, totals, today=timezone.localdate())
    filename = f"形式审查汇总_{edition.year}.xlsx"
    return attachment_response(
        render_document(document, "xlsx"), filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )
