"""The recommender's batch, Attachment 2 and the provincial board.

Every view reaches a recommender through recommender_for_user_or_404: staff get only their own
(another's pk is 404), the admin names any, other roles are refused.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import Recommender, User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.selectors import time_left
from banzu.audit.services import client_ip
from banzu.core.access import admin_required, deny, is_admin
from banzu.core.errors import ServiceError
from banzu.core.responses import attachment_response, inline_pdf_response
from banzu.core.service_calls import run_service
from banzu.documents.render import CONTENT_TYPES, as_format
from banzu.editions.resolver import edition_or_404
from banzu.recommendations import exports, services, stamped
from banzu.recommendations.attachment2 import attachment2_rows
from banzu.recommendations.enums import BatchState
from banzu.recommendations.forms.batch import (
    QuotaForm,
    ReopenBatchForm,
    StampedUploadForm,
    SubmitBatchForm,
)
from banzu.recommendations.models import Batch
from banzu.recommendations.permissions import (
    get_reviewable_application_or_404,
    get_stamped_copy_for_user_or_404,
    recommender_for_user_or_404,
)
from banzu.recommendations.selectors import applications_for_recommender, batch_for_view


def _batch_url(user: User, recommender: Recommender) -> str:
    if user.role == Role.RECOMMENDER:
        return reverse("recommendations:batch")
    return reverse("recommendations:batch_of", kwargs={"recommender_pk": recommender.pk})


def _admin_recommender(request: AuthenticatedHttpRequest, recommender_pk: int) -> Recommender:
    """In scope first (another city's staff get 404), then the admin-only gate (403)."""
    recommender = recommender_for_user_or_404(request.user, recommender_pk)
    if not is_admin(request.user):
        raise deny(request, "batch (the admin's)", recommender_pk, code="403")
    return recommender


def _batch_page(
    request: AuthenticatedHttpRequest,
    recommender: Recommender,
    *,
    bound: forms.Form | None = None,
    stamped_error: tuple[int | None, str] | None = None,
) -> HttpResponse:
    """The batch page; `bound`, a form of it that was refused, shows with its errors, and
    `stamped_error` a refused scan beside its slot (the application's pk, None: Attachment 2)."""
    user = request.user
    edition = edition_or_404(request)
    batch = batch_for_view(edition, recommender)
    rows = attachment2_rows(recommender, edition)
    admin = is_admin(user)
    is_open = batch.state == BatchState.OPEN
    scans = stamped.stamped_slots(batch, rows)
    return render(
        request,
        "recommendations/batch.html",
        {
            "recommender": recommender,
            "edition": edition,
            "batch": batch,
            "is_open": is_open,
            "rows": rows,
            "pending": applications_for_recommender(recommender, edition)
            .filter(state=ApplicationState.SUBMITTED)
            .count(),
            "attachment2_title": exports.attachment2_title(edition),
            "time_left": time_left(edition.recommendation_deadline),
            "is_admin": admin,
            "can_submit": is_open and user.role == Role.RECOMMENDER,
            "stamped_slots": scans,
            "stamped_missing": stamped.missing_lines(scans),
            "can_upload_stamped": is_open and user.role == Role.RECOMMENDER,
            "stamped_error": stamped_error,
            "stamped_limit_mb": stamped.stamped_limits().max_bytes // (1024 * 1024),
            "submit_form": bound if isinstance(bound, SubmitBatchForm) else SubmitBatchForm(),
            "reopen_form": bound if isinstance(bound, ReopenBatchForm) else ReopenBatchForm(),
            "quota_form": bound
            if isinstance(bound, QuotaForm)
            else QuotaForm(initial={"quota": batch.quota}),
        },
    )


@login_required
@require_GET
def batch(request: AuthenticatedHttpRequest, recommender_pk: int | None = None) -> HttpResponse:
    if recommender_pk is None and is_admin(request.user):
        return redirect("recommendations:board")
    return _batch_page(request, recommender_for_user_or_404(request.user, recommender_pk))


@login_required
@require_GET
def attachment2(request: AuthenticatedHttpRequest, recommender_pk: int, fmt: str) -> HttpResponse:
    """Attachment 2 as Word, PDF or Excel, for the recommender's staff and the admin."""
    recommender = recommender_for_user_or_404(request.user, recommender_pk)
    known = as_format(fmt)
    if known is None:
        raise Http404
    filename, content = exports.export_attachment2(
        recommender=recommender,
        edition=edition_or_404(request),
        user=request.user,
        fmt=known,
        ip=client_ip(request),
    )
    return attachment_response(content, filename=filename, content_type=CONTENT_TYPES[known])


@login_required
@require_POST
def submit_batch(request: AuthenticatedHttpRequest, recommender_pk: int) -> HttpResponse:
    return _batch_form(
        request,
        recommender_for_user_or_404(request.user, recommender_pk),
        SubmitBatchForm(request.POST),
        # The form above the button has warned of any stamped copy missing (not a refusal: an
        # association may send the stamped forms on paper).
        lambda batch, _data: _move_batch(
            request,
            batch,
            to=BatchState.SUBMITTED,
            success=_("The batch was submitted to the provincial association. It is now locked."),
        ),
    )


def _stamped_upload(
    request: AuthenticatedHttpRequest,
    recommender: Recommender,
    application: Application | None,
) -> HttpResponse:
    """Store a stamped scan for the batch (Attachment 2) or one application (Attachment 1): the
    recommender's staff only (the admin reads, 403); a refusal shows beside its slot."""
    if request.user.role != Role.RECOMMENDER:
        raise deny(request, "stamped upload", recommender.pk, code="403")
    slot = application.pk if application is not None else None
    form = StampedUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _batch_page(request, recommender, stamped_error=(slot, str(form.errors["file"][0])))
    batch = batch_for_view(
        edition_or_404(request) if application is None else application.edition, recommender
    )
    try:
        copy = stamped.upload_stamped_copy(
            batch=batch,
            user=request.user,
            upload=form.cleaned_data["file"],
            application=application,
            ip=client_ip(request),
        )
    except ServiceError as error:
        return _batch_page(request, recommender, stamped_error=(slot, error.message))
    messages.success(
        request,
        _("Uploaded %(name)s as %(kind)s.")
        % {"name": copy.original_name, "kind": copy.get_kind_display()},
    )
    return redirect(_batch_url(request.user, recommender) + "#stamped")


@login_required
@require_POST
def upload_stamped_attachment2(
    request: AuthenticatedHttpRequest, recommender_pk: int
) -> HttpResponse:
    recommender = recommender_for_user_or_404(request.user, recommender_pk)
    return _stamped_upload(request, recommender, None)


@login_required
@require_POST
def upload_stamped_attachment1(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = get_reviewable_application_or_404(request.user, pk, ip=client_ip(request))
    return _stamped_upload(request, application.recommender, application)


@login_required
@require_GET
@xframe_options_sameorigin
def view_stamped(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """A stamped scan, shown inline: it was parsed as a PDF on upload."""
    ip = client_ip(request)
    copy = get_stamped_copy_for_user_or_404(request.user, pk, ip=ip)
    path = stamped.open_stamped_copy(copy=copy, user=request.user, ip=ip)
    return inline_pdf_response(path, filename=copy.original_name)


@login_required
@require_POST
def reopen_batch(request: AuthenticatedHttpRequest, recommender_pk: int) -> HttpResponse:
    recommender = _admin_recommender(request, recommender_pk)
    return _batch_form(
        request,
        recommender,
        ReopenBatchForm(request.POST),
        lambda batch, data: _move_batch(
            request,
            batch,
            to=BatchState.OPEN,
            reason=data["reason"],
            success=_("The batch of %(recommender)s is open again; it may be resubmitted.")
            % {"recommender": recommender.name},
        ),
    )


@login_required
@require_POST
def set_quota(request: AuthenticatedHttpRequest, recommender_pk: int) -> HttpResponse:
    def save(batch: Batch, data: dict[str, Any]) -> None:
        services.set_quota(batch=batch, quota=data["quota"], by=request.user, ip=client_ip(request))
        messages.success(request, _("Quota saved."))

    recommender = _admin_recommender(request, recommender_pk)
    return _batch_form(request, recommender, QuotaForm(request.POST), save)


def _batch_form(
    request: AuthenticatedHttpRequest,
    recommender: Recommender,
    form: forms.Form,
    act: Callable[[Batch, dict[str, Any]], object],
) -> HttpResponse:
    """A form of the batch page: refused, the page again with its errors; valid, its act on the
    batch (which says how it went) and back to the page."""
    if not form.is_valid():
        return _batch_page(request, recommender, bound=form)
    act(batch_for_view(edition_or_404(request), recommender), form.cleaned_data)
    return redirect(_batch_url(request.user, recommender))


def _move_batch(
    request: AuthenticatedHttpRequest,
    batch: Batch,
    *,
    to: BatchState,
    success: str,
    reason: str = "",
) -> bool:
    return run_service(
        request,
        lambda: services.transition_batch(
            batch, to=to, actor=request.user, reason=reason, ip=client_ip(request)
        ),
        success=success,
    )


@admin_required
@require_GET
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    edition = edition_or_404(request)
    rows = exports.board_rows(edition)
    return render(
        request,
        "recommendations/board.html",
        {
            "edition": edition,
            "rows": rows,
            "totals": exports.board_totals(rows),
            "time_left": time_left(edition.recommendation_deadline),
        },
    )
