"""The expert's workspace: the assigned applications, the conflict declaration, and the
materials beside the score sheet. Every object comes through banzu.review.permissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Document
from banzu.applications.selectors import current_documents
from banzu.applications.services import open_document
from banzu.audit.services import client_ip
from banzu.core.access import role_required
from banzu.core.responses import download_response, inline_pdf_response
from banzu.core.service_calls import run_service
from banzu.editions.resolver import edition_for
from banzu.review import selectors, services
from banzu.review.enums import AssignmentState
from banzu.review.forms.declaration import DeclarationForm
from banzu.review.models import Assignment
from banzu.review.permissions import assignment_for_expert_or_404
from banzu.scoring.enums import SheetStage
from banzu.scoring.forms import running_total
from banzu.scoring.models import ScoreSheet
from banzu.scoring.sheet_page import sheet_page

expert_required = role_required(Role.EXPERT)
INLINE_KINDS = frozenset({DocumentKind.MATERIALS_PDF, DocumentKind.SIGNED_FORM})


@expert_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = edition_for(request)
    assignments = selectors.expert_assignments(request.user, edition) if edition else []
    return render(
        request,
        "review/mine.html",
        {
            "edition": edition,
            "assignments": assignments,
            "submitted": len([row for row in assignments if row.submitted]),
            "pending": len(
                [row for row in assignments if row.assignment.state == AssignmentState.PENDING]
            ),
            "settings": selectors.settings_for(edition) if edition else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Before any material: no conflict, or a conflict with its reason."""
    assignment = assignment_for_expert_or_404(request, pk, declared=False)
    if assignment.state == AssignmentState.CONFIRMED and request.method == "GET":
        return redirect("review:sheet", pk=pk)
    # Bound on every POST: an empty one is refused (no answer), not taken as "no conflict".
    form = DeclarationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not form.is_valid():
            for error in form.answer_errors():
                messages.error(request, error)
        else:
            conflict = form.conflict
            declared = run_service(
                request,
                lambda: services.declare(
                    assignment,
                    expert=request.user,
                    conflict=conflict,
                    reason=form.cleaned_data["reason"] if conflict else "",
                    ip=client_ip(request),
                ),
                success=_("Conflict declared. The application was taken off your list.")
                if conflict
                else _("No conflict declared. The materials are open."),
            )
            if declared:
                return redirect("review:mine") if conflict else redirect("review:sheet", pk=pk)
    return render(
        request,
        "review/declare.html",
        {"assignment": assignment, "application": assignment.application, "form": form},
    )


def _own_sheet(assignment: Assignment) -> ScoreSheet | None:
    return (
        ScoreSheet.objects.filter(
            application_id=assignment.application_id,
            stage=SheetStage.MATERIALS,
            scorer_id=assignment.expert_id,
        )
        .prefetch_related("items")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The materials beside the expert's score sheet."""
    assignment = assignment_for_expert_or_404(request, pk)
    application = assignment.application
    rubric = list(application.edition.rubric_items.all())
    own = _own_sheet(assignment)
    return sheet_page(
        request,
        template="review/sheet.html",
        rubric=rubric,
        sheet=own,
        closed=services.sheet_closed_reason(application, own),
        save=lambda form: services.save_expert_sheet(
            assignment=assignment,
            expert=request.user,
            items=form.items(),
            overall_comment=form.overall_comment(),
            expected_version=form.cleaned_data["version"],
            submit=form.submitting,
            ip=client_ip(request),
        ),
        saved_url=reverse("review:sheet", kwargs={"pk": pk}),
        overall=True,
        context=lambda: {
            "application": application,
            "assignment": assignment,
            "documents": current_documents(application),
            "inline_kinds": INLINE_KINDS,
        },
    )


@login_required
@require_POST
def sheet_total(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """htmx: the running total as the expert types."""
    assignment = assignment_for_expert_or_404(request, pk)
    rubric = list(assignment.application.edition.rubric_items.all())
    return HttpResponse(str(running_total(request.POST, rubric)))


def _document(request: HttpRequest, pk: int, document_pk: int) -> Document:
    assignment = assignment_for_expert_or_404(request, pk)
    document = next(
        (d for d in current_documents(assignment.application) if d.pk == document_pk), None
    )
    if document is None:
        raise Http404
    return document


@login_required
@require_GET
@xframe_options_sameorigin
def view_pdf(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    """A PDF of the application shown in the browser (it was parsed as a PDF on upload)."""
    document = _document(request, pk, document_pk)
    if document.kind not in INLINE_KINDS:
        raise Http404
    path = open_document(document=document, user=request.user, ip=client_ip(request))
    return inline_pdf_response(path, filename=document.original_name)


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    document = _document(request, pk, document_pk)
    path = open_document(document=document, user=request.user, ip=client_ip(request))
    return download_response(path, filename=document.original_name)
