"""Downloads of the official forms. Each view finds its object through the scope helper of its
app (404 outside the user's scope), renders, records the download, and answers an attachment."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from banzu.accounts.enums import Role
from banzu.applications.permissions import get_application_for_user_or_404
from banzu.audit.services import client_ip, record
from banzu.core.responses import attachment_response
from banzu.documents import services
from banzu.documents.services import Format, Rendered
from banzu.editions.models import Edition
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage, SheetState
from banzu.scoring.models import ScoreSheet

FORM_FORMATS: tuple[Format, ...] = ("docx", "pdf")


def _format(fmt: str) -> Format:
    known = services.as_format(fmt, FORM_FORMATS)
    if known is None:
        raise Http404
    return known


def _send(request: HttpRequest, rendered: Rendered, action: str, target: Any) -> HttpResponse:
    record(
        action=action,
        actor=request.user,
        target=target,
        data={"file": rendered.filename},
        ip=client_ip(request),
    )
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )


@login_required
@require_GET
def attachment1(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The application form, for the enterprise, its recommender and the admin."""
    form_format = _format(fmt)
    application = get_application_for_user_or_404(request.user, pk, ip=client_ip(request))
    rendered = services.attachment1_file(application, form_format)
    return _send(request, rendered, "export.attachment1", application)


@login_required
@require_GET
def attachment3_blank(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The blank rubric: the notice's own table, public, so any signed-in user may print it."""
    form_format = _format(fmt)
    edition = get_object_or_404(Edition, year=year)
    rendered = services.attachment3_blank_file(edition, form_format)
    return _send(request, rendered, "export.attachment3", edition)


def deny(user: Any, what: str, pk: Any, ip: str | None) -> Http404:
    """Record a refused look-up in the journal (security.md) and give the 404 to raise."""
    record(
        action="access.denied",
        actor=user if user.is_authenticated else None,
        data={"object": what, "id": str(pk), "code": "404"},
        ip=ip,
    )
    return Http404()


def _expert_still_assigned(sheet: ScoreSheet) -> bool:
    """An expert's sheet stays theirs only while they review the application."""
    return (
        Assignment.objects.active()
        .filter(application_id=sheet.application_id, expert_id=sheet.scorer_id)
        .exists()
    )


def sheet_for_user_or_404(user: Any, pk: int, *, ip: str | None = None) -> ScoreSheet:
    """A submitted score sheet, for the admin, its scorer, and the staff of the recommender whose
    own preliminary sheet it is. Applicants never see a sheet; nobody sees another's draft."""
    sheet = (
        ScoreSheet.objects.select_related(
            "application__edition", "application__team__enterprise", "scorer"
        )
        .filter(pk=pk, state=SheetState.SUBMITTED)
        .first()
    )
    if sheet is None or not user.is_authenticated or not user.is_active:
        raise deny(user, "score sheet", pk, ip)
    if user.role == Role.ADMIN:
        return sheet
    if sheet.scorer_id == user.pk and (
        sheet.stage != SheetStage.MATERIALS or _expert_still_assigned(sheet)
    ):
        return sheet
    if (
        user.role == Role.RECOMMENDER
        and sheet.stage == SheetStage.RECOMMENDER
        and sheet.application.recommender_id == user.recommender_id
    ):
        return sheet
    raise deny(user, "score sheet", pk, ip)


@login_required
@require_GET
def attachment3_sheet(request: HttpRequest, sheet_pk: int, fmt: str) -> HttpResponse:
    form_format = _format(fmt)
    sheet = sheet_for_user_or_404(request.user, sheet_pk, ip=client_ip(request))
    rendered = services.attachment3_sheet_file(sheet, form_format)
    return _send(request, rendered, "export.attachment3", sheet)
