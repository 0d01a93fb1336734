"""Attachment 1, the application form, as a download (under /documents/, see documents_urls)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.applications.attachment1 import attachment1_file
from banzu.applications.permissions import get_application_for_user_or_404
from banzu.audit import actions
from banzu.audit.services import client_ip
from banzu.documents.views import form_format, send_form

actions.register("export.attachment1")


@login_required
@require_GET
def attachment1(request: AuthenticatedHttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The application form, for the enterprise, its recommender and the admin."""
    form = form_format(fmt)
    application = get_application_for_user_or_404(request.user, pk, ip=client_ip(request))
    rendered = attachment1_file(application, form)
    return send_form(request, rendered, "export.attachment1", application)
