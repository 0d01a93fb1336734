"""The publicity pages: the public list and objection form (no login), the objection status
look-up, and the admin's pages (opening the window, the objections and their decisions)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core import filestore
from banzu.core.access import require_admin, require_public_scope
from banzu.core.errors import ServiceError
from banzu.core.responses import attachment_response
from banzu.core.service_calls import refusal_on_form
from banzu.documents.render import as_format
from banzu.editions.models import Edition
from banzu.publicity import publication, services
from banzu.publicity.forms import (
    DecisionForm,
    DisqualifyForm,
    LookupForm,
    NotesForm,
    ObjectionForm,
    OpenForm,
    PublishForm,
)
from banzu.publicity.models import Objection, ObjectionState, ObjectorKind, Publicity
from banzu.publicity.notice import notice_file
from banzu.publicity.permissions import get_objection_for_user_or_404
from banzu.publicity.selectors import listed_rows
from banzu.results.versions import settings_for


def _publicity_or_404(request: HttpRequest, year: int) -> Publicity:
    require_public_scope(request, "publicity", year)
    publicity = services.visible_publicity(year)
    if publicity is None:
        raise Http404
    return publicity


@require_http_methods(["GET"])
def public(request: HttpRequest, year: int) -> HttpResponse:
    publicity = _publicity_or_404(request, year)
    today = services.today()
    return render(
        request,
        "publicity/public.html",
        {
            "publicity": publicity,
            "rows": listed_rows(publicity),
            "show_scores": settings_for(publicity.edition).show_scores_in_publicity,
            "open_now": publicity.is_open_on(today),
        },
    )


@require_http_methods(["GET", "POST"])
def objection_form(request: HttpRequest, year: int) -> HttpResponse:
    publicity = _publicity_or_404(request, year)
    teams = [(row.application, f"{row.team}（{row.enterprise}）") for row in listed_rows(publicity)]
    open_now = publicity.is_open_on(services.today())
    form = ObjectionForm(request.POST or None, request.FILES or None, teams=teams)
    status = 200
    if request.method == "POST":
        ip = client_ip(request)
        if services.rate_limited(ip):
            form.add_error(None, _("Too many attempts from your address. Try again in an hour."))
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                objection = services.file_objection(
                    publicity,
                    services.ObjectionData(
                        objector_kind=data["objector_kind"],
                        real_name=data["real_name"],
                        organisation=data["organisation"],
                        phone=data["phone"],
                        email=data["email"],
                        application_id=data["application"],
                        grounds=data["grounds"],
                        letter=data["letter"],
                        evidence=tuple(request.FILES.getlist("evidence")),
                    ),
                    ip=ip,
                )
            except ServiceError as refused:
                refusal_on_form(form, refused)
            else:
                return render(
                    request,
                    "publicity/received.html",
                    {"publicity": publicity, "receipt": objection.receipt},
                )
        if status == 200 and form.errors:
            status = 400
    return render(
        request,
        "publicity/objection_form.html",
        {"publicity": publicity, "form": form, "open_now": open_now},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def status(request: HttpRequest) -> HttpResponse:
    require_public_scope(request, "objection_status")
    form = LookupForm(request.POST or None)
    found: Objection | None = None
    status_code = 200
    if request.method == "POST" and services.rate_limited(client_ip(request), kind="lookup"):
        form.add_error(None, _("Too many attempts from your address. Try again in an hour."))
        status_code = 429
    elif request.method == "POST" and form.is_valid():
        found = services.lookup(form.cleaned_data["receipt"], form.cleaned_data["email"])
        if found is None:
            form.add_error(None, _("No objection matches this receipt number and e-mail."))
    return render(
        request, "publicity/status.html", {"form": form, "found": found}, status=status_code
    )


# --- The admin's pages -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_window(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    require_admin(request, "publicity_open", year)
    edition = get_object_or_404(Edition, year=year)
    existing = Publicity.objects.filter(edition=edition).first()
    version = services.latest_sealed(edition)
    form = OpenForm(
        request.POST or None,
        initial={"working_days": services.default_working_days(edition)},
    )
    ends_on = None
    if request.method == "POST" and existing is None and form.is_valid():
        data = form.cleaned_data
        window = services.Window(
            starts_on=data["starts_on"],
            working_days=data["working_days"],
            extra_holidays=data["extra_holidays"],
            extra_workdays=data["extra_workdays"],
            covered_until=data["covered_until"],
        )
        try:
            ends_on = window.ends_on()
            if "confirm" in request.POST:
                services.open_publicity(edition, window, by=request.user, ip=client_ip(request))
                messages.success(request, _("The publicity window is open."))
                return redirect("publicity:objections", year=year)
        except ServiceError as refused:
            form.add_error(None, str(refused))
            ends_on = None
    return render(
        request,
        "publicity/open.html",
        {
            "edition": edition,
            "existing": existing,
            "version": version,
            "form": form,
            "ends_on": ends_on,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    require_admin(request, "publicity_publish", year)
    edition = get_object_or_404(Edition, year=year)
    publicity = get_object_or_404(Publicity.objects.select_related("version"), edition=edition)
    ready = publication.readiness(publicity)
    form = PublishForm(request.POST or None, initial={"notice_date": services.today()})
    if request.method == "POST" and not publicity.published and form.is_valid():
        try:
            publication.publish(
                publicity,
                notice_number=form.cleaned_data["notice_number"],
                notice_date=form.cleaned_data["notice_date"],
                by=request.user,
                ip=client_ip(request),
            )
        except ServiceError as refused:
            refusal_on_form(form, refused)
        else:
            messages.success(request, _("The final results are published."))
            return redirect("publicity:publish", year=year)
    return render(
        request,
        "publicity/publish.html",
        {
            "edition": edition,
            "publicity": publicity,
            "ready": ready,
            "count": len(publication.published_ids(publicity)),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET"])
def objections(request: HttpRequest, year: int) -> HttpResponse:
    require_admin(request, "objections", year)
    edition = get_object_or_404(Edition, year=year)
    publicity = Publicity.objects.filter(edition=edition).first()
    rows = (
        list(publicity.objections.select_related("application__team"))
        if publicity is not None
        else []
    )
    return render(
        request,
        "publicity/objections.html",
        {"edition": edition, "publicity": publicity, "objections": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def objection(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_objection_for_user_or_404(request, pk)
    ip = client_ip(request)
    notes = NotesForm(initial={"admin_notes": found.admin_notes})
    decision = DecisionForm()
    disqualify = DisqualifyForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "notes":
                notes = NotesForm(request.POST)
                if notes.is_valid():
                    services.save_notes(found, notes.cleaned_data["admin_notes"])
                    messages.success(request, _("Notes saved."))
                    return redirect("publicity:objection", pk=pk)
            elif action == "decide":
                decision = DecisionForm(request.POST)
                if decision.is_valid():
                    services.decide(
                        found,
                        state=decision.cleaned_data["state"],
                        reply=decision.cleaned_data["reply"],
                        by=request.user,
                        ip=ip,
                    )
                    messages.success(request, _("Decision saved; the reply is mailed."))
                    return redirect("publicity:objection", pk=pk)
            elif action == "disqualify":
                disqualify = DisqualifyForm(request.POST)
                if disqualify.is_valid():
                    version = services.disqualify(
                        found, reason=disqualify.cleaned_data["reason"], by=request.user, ip=ip
                    )
                    messages.success(
                        request,
                        _("The team is disqualified; results version %(n)d is sealed.")
                        % {"n": version.number},
                    )
                    return redirect("publicity:objection", pk=pk)
            else:
                messages.error(request, _("Nothing was changed."))
        except ServiceError as refused:
            messages.error(request, str(refused))
    return render(
        request,
        "publicity/objection.html",
        {
            "objection": found,
            "files": list(found.files.all()),
            "notes": notes,
            "decision": decision,
            "disqualify": disqualify,
            "received": found.state == ObjectionState.RECEIVED,
            "can_disqualify": found.state == ObjectionState.UPHELD
            and found.disqualified_version_id is None,
            "organisation_kind": ObjectorKind.ORGANISATION,
        },
    )


@login_required
@require_http_methods(["GET"])
def objection_file(request: HttpRequest, pk: int, file_pk: int) -> FileResponse:
    found = get_objection_for_user_or_404(request, pk)
    item = get_object_or_404(found.files, pk=file_pk)
    content_type = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
    response = FileResponse(
        filestore.verified_path(item.stored_name, item.sha256).open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=content_type.get(item.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_http_methods(["GET"])
def notice(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    publicity = _publicity_or_404(request, year)
    chosen = as_format(fmt, ("docx", "pdf"))
    if chosen is None:
        raise Http404
    show_scores = settings_for(publicity.edition).show_scores_in_publicity
    rendered = notice_file(publicity, chosen, show_scores=show_scores)
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )
