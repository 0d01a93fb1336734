"""The provincial admin's review pages: the progress board with reminders, the assignment page
(settings, automatic run, changes by hand) and one application's expert sheets with reopening."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.applications.models import Application
from banzu.audit.services import client_ip
from banzu.core.access import require_admin
from banzu.core.params import int_param
from banzu.core.service_calls import Success, T, run_service, run_with_reason
from banzu.editions.models import Edition
from banzu.editions.resolver import edition_or_404
from banzu.recommendations.forms.review import ReasonForm
from banzu.review import problems as problem_text
from banzu.review import results, selectors, services
from banzu.review.forms.admin import AddExpertForm, ReviewSettingsForm
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage
from banzu.scoring.models import ScoreSheet


def _edition(request: HttpRequest) -> Edition:
    require_admin(request, "review")
    return edition_or_404(request)


@require_GET
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    progress = selectors.progress(edition)
    return render(
        request,
        "review/board.html",
        {
            "edition": edition,
            "progress": progress,
            "settings": selectors.settings_for(edition),
            "behind": sum(1 for row in progress.experts if row.behind),
            "finishable": sum(
                1
                for row in progress.applications
                if row.application.state == "under_review"
                and row.assigned >= progress.k
                and row.submitted == row.assigned
            ),
        },
    )


@require_POST
def remind(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    expert = int_param(request.POST.get("expert"))
    expert_ids = [expert] if expert is not None else None
    count = services.send_reminders(
        edition=edition, by=request.user, expert_ids=expert_ids, ip=client_ip(request)
    )
    if count:
        messages.success(request, _("Reminders mailed to %(n)s experts.") % {"n": count})
    else:
        messages.info(request, _("Nobody is behind: no reminder was sent."))
    return redirect("review:board")


@require_POST
def finish(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = _edition(request)
    count = services.finish_review(edition=edition, by=request.user, ip=client_ip(request))
    messages.success(
        request, _("%(n)s applications have all their sheets and are now scored.") % {"n": count}
    )
    return redirect("review:board")


def _assignment_rows(edition: Edition) -> list[Application]:
    return list(
        selectors.review_applications(edition).prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("expert").order_by(
                    "state", "expert__username"
                ),
            )
        )
    )


@require_http_methods(["GET", "POST"])
def assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The edition's review settings, the automatic assignment, and each application's experts."""
    edition = _edition(request)
    review_settings = selectors.settings_for(edition)
    settings_form = ReviewSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None, instance=review_settings
    )
    problems: list[str] = []
    if request.method == "POST" and request.POST.get("form") == "settings":
        if settings_form.is_valid():
            services.update_settings(
                edition=edition,
                by=request.user,
                fields=settings_form.changed_values(),
                ip=client_ip(request),
            )
            messages.success(request, _("Review settings saved."))
            return redirect("review:assign")
    elif request.method == "POST" and request.POST.get("form") == "run":
        run = services.run_assignment(edition=edition, by=request.user, ip=client_ip(request))
        messages.success(
            request,
            _(
                "%(added)s assignments made for %(apps)s applications; %(matched)s of them "
                "match the expert's speciality."
            )
            % {"added": run.added, "apps": run.applications, "matched": run.matched},
        )
        if not run.problems:
            return redirect("review:assign")
        # Shown at once rather than after a redirect: the list is the admin's to-do.
        problems = problem_text.describe(run.problems)
    return render(
        request,
        "review/assign.html",
        {
            "edition": edition,
            "settings_form": settings_form,
            "settings": review_settings,
            "problems": problems,
            "applications": _assignment_rows(edition),
            # Built once: iterating the form's field would query once per application.
            "expert_choices": [
                (profile.pk, f"{profile.user.display_name} · {profile.organisation}")
                for profile in selectors.pool()
            ],
        },
    )


@require_POST
def add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request)
    application = get_object_or_404(selectors.review_applications(edition), pk=pk)
    form = AddExpertForm(request.POST)
    if form.is_valid():
        expert = form.cleaned_data["expert"].user
        run_service(
            request,
            lambda: services.add_assignment(
                application=application, expert=expert, by=request.user, ip=client_ip(request)
            ),
            success=lambda _added: (
                _("%(expert)s now reviews %(team)s.")
                % {"expert": expert.display_name, "team": application.team.name}
            ),
        )
    else:
        messages.error(request, _("Choose an expert of the pool."))
    return redirect(f"{_assign_url()}#application-{application.pk}")


def _assign_url() -> str:
    return reverse("review:assign")


@require_POST
def remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    edition = _edition(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("application", "expert"),
        pk=pk,
        application__edition=edition,
    )
    _with_reason(
        request,
        lambda reason: services.remove_assignment(
            assignment=assignment, by=request.user, reason=reason, ip=client_ip(request)
        ),
        success=lambda _removed: (
            _("%(expert)s no longer reviews %(team)s.")
            % {"expert": assignment.expert.display_name, "team": assignment.application.team.name}
        ),
    )
    return redirect(f"{_assign_url()}#application-{assignment.application_id}")


def _with_reason(request: HttpRequest, call: Callable[[str], T], *, success: Success[T]) -> None:
    """The admin's steps that need a reason: an empty one is refused, whatever the step."""
    run_with_reason(
        request, ReasonForm(request.POST), call, success=success, invalid=_("Please give a reason.")
    )


@require_GET
def application(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Every expert sheet of one application, the aggregate, and the kept earlier versions."""
    edition = _edition(request)
    application = get_object_or_404(selectors.review_applications(edition), pk=pk)
    sheets = list(
        ScoreSheet.objects.filter(application=application, stage=SheetStage.MATERIALS)
        .select_related("scorer")
        .prefetch_related("items__rubric_item", "old_versions__reopened_by")
        .order_by("scorer__username")
    )
    result = results.application_result(application)
    assignments = {
        a.expert_id: a
        for a in Assignment.objects.filter(application=application).select_related("expert")
    }
    return render(
        request,
        "review/application.html",
        {
            "application": application,
            "rubric": list(edition.rubric_items.all()),
            "sheets": sheets,
            "assignments": assignments,
            "result": result,
            "dropped": {row.sheet.pk for row in result.sheets if row.dropped},
            "reopen_form": ReasonForm(),
        },
    )


@require_POST
def reopen(request: AuthenticatedHttpRequest, sheet_pk: int) -> HttpResponse:
    edition = _edition(request)
    sheet = get_object_or_404(
        ScoreSheet.objects.select_related("application__team", "scorer"),
        pk=sheet_pk,
        stage=SheetStage.MATERIALS,
        application__edition=edition,
    )
    _with_reason(
        request,
        lambda reason: services.reopen_expert_sheet(
            sheet=sheet, by=request.user, reason=reason, ip=client_ip(request)
        ),
        success=_("The sheet of %(expert)s is open again; its submitted version is kept.")
        % {"expert": sheet.scorer.display_name},
    )
    return redirect("review:application", pk=sheet.application_id)
