from __future__ import annotations

from typing import Any, Protocol

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import Recommender, User
from banzu.applications import exports, selectors, services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.forms import (
    ApplicationForm,
    HonourFormSet,
    StartApplicationForm,
    UploadForm,
)
from banzu.applications.models import Application
from banzu.applications.permissions import (
    actors_for,
    can_edit_application,
    get_application_for_user_or_404,
    get_document_for_user_or_404,
)
from banzu.applications.stages import stages
from banzu.applications.workflow import Actor
from banzu.audit import actions
from banzu.audit.services import client_ip
from banzu.core import hooks
from banzu.core.access import PIPELINE_ROLES, applicant_required, deny, is_admin, role_required
from banzu.core.errors import ServiceError
from banzu.core.responses import download_response
from banzu.core.service_calls import run_service
from banzu.documents.views import send_form
from banzu.editions.selectors import get_current_edition

actions.register("export.application_list")


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: anonymous visitors reach it, so the user is narrowed here."""
    user = request.user
    if not isinstance(user, User):
        return render(request, "home.html")
    if user.role == Role.APPLICANT:
        return _applicant_dashboard(request, user)
    if user.role == Role.SECRETARY:
        # A room secretary's page is their room, which the presentation event answers.
        return render(request, "applications/secretary_home.html", {"cards": _cards(request, user)})
    if user.role == Role.RECOMMENDER:
        # A recommender's page is its own work (to review, to score, returned, recommended, its
        # batch and deadline), which the recommendation stage answers as a card.
        return render(
            request, "applications/recommender_home.html", {"cards": _cards(request, user)}
        )
    if user.role == Role.ADMIN:
        return render(
            request,
            "applications/overview.html",
            {"rows": _state_rows(user), "time_left": _time_left()},
        )
    return render(request, "applications/expert_home.html", {"cards": _cards(request, user)})


def _state_rows(user: User) -> list[tuple[str, str, int]]:
    counts = selectors.state_counts(user)
    return [(value, str(label), counts.get(value, 0)) for value, label in ApplicationState.choices]


def _time_left() -> selectors.TimeLeft | None:
    edition = get_current_edition()
    return selectors.time_left(edition.recommendation_deadline) if edition else None


def _applicant_dashboard(request: HttpRequest, user: User) -> HttpResponse:
    applications = list(selectors.application_list(user)) if user.enterprise_id else []
    return render(
        request,
        "applications/dashboard.html",
        {
            "applications": applications,
            "time_left": _time_left(),
            "has_enterprise": user.enterprise_id is not None,
            "cards": _cards(request, user),
        },
    )


def _cards(request: HttpRequest, user: User) -> list[object]:
    return hooks.answers(hooks.dashboard_cards, sender=User, request=request, user=user)


@role_required(*PIPELINE_ROLES, what="application list")
@require_GET
def application_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    query = request.GET.get("q", "").strip()
    if user.role == Role.RECOMMENDER:
        # A recommender has one list of its work, with its scores: the recommendation stage's.
        target = reverse("recommendations:list")
        return redirect(f"{target}?{urlencode({'q': query})}" if query else target)
    state = request.GET.get("state", "")
    recommender = request.GET.get("recommender", "")
    qs = selectors.application_list(user, state=state, recommender=recommender, query=query)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    filters = urlencode({"state": state, "recommender": recommender, "q": query})
    return render(
        request,
        "applications/list.html",
        {
            "page": page,
            "states": ApplicationState.choices,
            "recommenders": Recommender.objects.all() if is_admin(user) else [],
            "state": state,
            "recommender": recommender,
            "q": query,
            "filters": filters,
            "can_export": is_admin(user),
        },
    )


@role_required(Role.ADMIN, what="application list export")
@require_GET
def application_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list as filtered on the page, as an Excel file (the download is journalled)."""
    qs = selectors.application_list(
        request.user,
        state=request.GET.get("state", ""),
        recommender=request.GET.get("recommender", ""),
        query=request.GET.get("q", "").strip(),
    )
    rendered = exports.list_file(qs)
    return send_form(request, rendered, "export.application_list", None)


@applicant_required
@require_http_methods(["GET", "POST"])
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    enterprise = user.enterprise
    if enterprise is None:
        messages.info(request, _("Register your enterprise first."))
        return redirect("accounts:enterprise")
    edition = get_current_edition()
    form = StartApplicationForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid() and edition is not None:
        try:
            application = services.start_application(
                user=user,
                edition=edition,
                team_name=form.cleaned_data["team_name"],
                recommender=form.cleaned_data["recommender"],
                ip=client_ip(request),
            )
        except ServiceError as error:
            field = "team_name" if error.code in ("team_name", "duplicate") else None
            form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _("Application started. Fill in the form; you can save a draft at any time."),
            )
            return redirect("applications:edit", pk=application.pk)
    teams = enterprise.teams.all()
    return render(
        request,
        "applications/start.html",
        {"form": form, "edition": edition, "teams": teams},
    )


@login_required
@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = get_application_for_user_or_404(user, pk, ip=client_ip(request))
    actors = actors_for(user, application)
    is_owner = Actor.OWNER in actors
    stage_list = stages(application)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "enterprise": application.shown_enterprise,
            "honours": list(application.honours.all()),
            "slots": selectors.document_slots(application),
            "missing": selectors.missing_items(application)
            if application.state == ApplicationState.DRAFT
            else [],
            "timeline": selectors.timeline(application),
            "stages": stage_list,
            "next_stage": next((s for s in stage_list if s.status == "current"), None),
            "notes": hooks.notes_for(Application, application=application, user=user),
            "time_left": selectors.time_left(application.edition.recommendation_deadline),
            "is_owner": is_owner,
            "can_edit": can_edit_application(user, application),
            "can_withdraw": is_owner and application.state == ApplicationState.SUBMITTED,
            "can_reopen": is_owner and application.state == ApplicationState.WITHDRAWN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = get_application_for_user_or_404(user, pk, write=True, ip=client_ip(request))
    year = application.edition.year
    saved = None
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=application)
        honours = HonourFormSet(request.POST, prefix="honours", form_kwargs={"edition_year": year})
        form_valid, honours_valid = form.is_valid(), honours.is_valid()
        version = form.cleaned_data.get("version") if hasattr(form, "cleaned_data") else None
        if version is not None:
            # Every valid field is kept even when others need correcting: the invalid ones stay
            # in the form as typed, marked, for the applicant to correct.
            try:
                saved = services.save_draft(
                    application=application,
                    user=user,
                    fields=form.field_values(),
                    honours=honours.honours() if honours_valid else None,
                    team_name=form.valid_team_name(),
                    expected_version=version,
                    ip=client_ip(request),
                )
            except ServiceError as error:
                form.add_error(None, error.message)
        if saved is not None and form_valid and honours_valid:
            messages.success(request, _("Draft saved."))
            if saved.accident_count:
                messages.warning(
                    request,
                    _(
                        "The team reports an accident this year, so the application cannot "
                        "be submitted: only teams without accidents are eligible."
                    ),
                )
            if "save_and_continue" in request.POST:
                return redirect("applications:edit", pk=pk)
            return redirect("applications:detail", pk=pk)
        if saved is not None:
            application = saved
            form, honours = _rebound(request, saved, year)
            messages.warning(
                request,
                _(
                    "Saved, except the marked fields: correct them and save again. What you "
                    "typed there is still in the form."
                ),
            )
        elif not form.non_field_errors():
            messages.error(
                request,
                _("Some fields need correcting; nothing was saved yet. See the marked fields."),
            )
    else:
        form = ApplicationForm(instance=application)
        initial = [
            {
                "year": h.year,
                "title": h.title,
                "level": h.level,
                "recipient": h.recipient,
                "recipient_name": h.recipient_name,
                "awarded_by": h.awarded_by,
            }
            for h in application.honours.all()
        ]
        honours = HonourFormSet(
            initial=initial, prefix="honours", form_kwargs={"edition_year": year}
        )
    return render(
        request,
        "applications/edit.html",
        {
            "application": application,
            "enterprise": application.team.enterprise,
            "form": form,
            "honours": honours,
            "partly_saved": request.method == "POST" and saved is not None,
        },
    )


def _rebound(
    request: AuthenticatedHttpRequest, saved: Application, year: int
) -> tuple[ApplicationForm, Any]:
    """The form as posted, on the row just saved (its new version), with its errors again."""
    data = request.POST.copy()
    data["version"] = str(saved.version)
    form = ApplicationForm(data, instance=saved)
    honours = HonourFormSet(data, prefix="honours", form_kwargs={"edition_year": year})
    form.is_valid()
    honours.is_valid()
    return form, honours


@login_required
@require_http_methods(["GET", "POST"])
def files(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ip = client_ip(request)
    writing = request.method == "POST"
    application = get_application_for_user_or_404(user, pk, write=writing, ip=ip)
    form = UploadForm(request.POST or None, request.FILES or None)
    errors: dict[str, str] = {}
    if writing:
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            try:
                document = services.upload_document(
                    application=application,
                    user=user,
                    kind=kind,
                    upload=form.cleaned_data["file"],
                    ip=ip,
                )
            except ServiceError as error:
                errors[kind] = error.message
            else:
                messages.success(
                    request,
                    _("Uploaded %(name)s as %(kind)s.")
                    % {"name": document.original_name, "kind": DocumentKind(kind).label},
                )
                return redirect("applications:files", pk=pk)
        else:
            errors[request.POST.get("kind", "")] = _("Choose a file to upload.")
    accept = {
        DocumentKind.MATERIALS_DOCX: ".docx",
        DocumentKind.MATERIALS_PDF: ".pdf",
        DocumentKind.PRESENTATION: ".pptx",
        DocumentKind.SIGNED_FORM: ".pdf",
    }
    return render(
        request,
        "applications/files.html",
        {
            "application": application,
            # Each slot with its file type and the size limit the upload check applies.
            "slot_rows": [
                (
                    slot,
                    accept[slot.kind],
                    services.upload_limits(slot.kind).max_bytes // (1024 * 1024),
                    errors.get(slot.kind.value, ""),
                )
                for slot in selectors.document_slots(application)
            ],
            "can_edit": can_edit_application(user, application),
        },
    )


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    user = request.user
    ip = client_ip(request)
    document = get_document_for_user_or_404(user, pk, document_pk, ip=ip)
    path = services.open_document(document=document, user=user, ip=ip)
    return download_response(path, filename=document.original_name)


@login_required
@require_http_methods(["GET", "POST"])
def submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    ip = client_ip(request)
    application = get_application_for_user_or_404(user, pk, write=True, ip=ip)
    problems = selectors.missing_items(application)
    if request.method == "POST" and run_service(
        request,
        lambda: services.submit_application(application=application, user=user, ip=ip),
        success=lambda _submitted: (
            _("Submitted to %(recommender)s. The application is now read-only.")
            % {"recommender": application.recommender.name}
        ),
    ):
        return redirect("applications:detail", pk=pk)
    return render(
        request,
        "applications/submit.html",
        {
            "application": application,
            "problems": problems,
            "time_left": selectors.time_left(application.edition.recommendation_deadline),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method == "GET":
        user = request.user
        application = get_application_for_user_or_404(user, pk, ip=client_ip(request))
        if Actor.OWNER not in actors_for(user, application):
            raise deny(request, "application", pk, code="403")
        return render(request, "applications/withdraw.html", {"application": application})
    return _owner_transition(
        request, pk, services.withdraw_application, _("Application withdrawn.")
    )


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _owner_transition(
        request, pk, services.reopen_application, _("The application is a draft again.")
    )


class _OwnerStep(Protocol):
    """A step only the application's owner takes (withdraw, reopen)."""

    def __call__(self, *, application: Application, user: User, ip: str | None = ...) -> object: ...


def _owner_transition(
    request: AuthenticatedHttpRequest, pk: int, action: _OwnerStep, done: str
) -> HttpResponse:
    user = request.user
    ip = client_ip(request)
    application = get_application_for_user_or_404(user, pk, ip=ip)
    if Actor.OWNER not in actors_for(user, application):
        raise deny(request, "application", pk, code="403")
    run_service(request, lambda: action(application=application, user=user, ip=ip), success=done)
    return redirect("applications:detail", pk=pk)
