"""Attachment 3, the evaluation form, as a download: blank, or filled for one score sheet
(under /documents/, see documents_urls)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit import actions
from banzu.audit.services import client_ip
from banzu.core.access import PIPELINE_ROLES, role_required
from banzu.documents.views import form_format, send_form
from banzu.editions.models import Edition
from banzu.scoring.attachment3 import attachment3_blank_file, attachment3_sheet_file
from banzu.scoring.permissions import get_sheet_for_user_or_404

actions.register("export.attachment3")


@role_required(*PIPELINE_ROLES, what="attachment 3")
@require_GET
def attachment3_blank(request: AuthenticatedHttpRequest, year: int, fmt: str) -> HttpResponse:
    """The blank rubric: the notice's own table, public, so any signed-in user of the
    competition may print it (not a room secretary, whose scope is their room)."""
    form = form_format(fmt)
    edition = get_object_or_404(Edition, year=year)
    return send_form(request, attachment3_blank_file(edition, form), "export.attachment3", edition)


@login_required
@require_GET
def attachment3_sheet(request: AuthenticatedHttpRequest, sheet_pk: int, fmt: str) -> HttpResponse:
    form = form_format(fmt)
    sheet = get_sheet_for_user_or_404(request.user, sheet_pk, ip=client_ip(request))
    return send_form(request, attachment3_sheet_file(sheet, form), "export.attachment3", sheet)
