"""The screening's background jobs: start a plagiarism scan, upload an archive ZIP, list the
archive. The provincial admin only; anyone else gets 404. Nothing heavy runs here: the views
queue jobs (banzu.screening.jobs); their progress is polled through the one status view
(banzu.jobs.views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import require_admin
from banzu.core.responses import attachment_response
from banzu.editions.resolver import edition_or_404
from banzu.jobs.presentation import render_status
from banzu.screening import jobs
from banzu.screening.archive import MAX_UPLOAD_BYTES
from banzu.screening.archive_template import index_template
from banzu.screening.models import ArchiveDocument

ARCHIVE_PAGE_SIZE = 100


class ArchiveUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ZIP of the documents with an index (.csv or .xlsx)"),
        help_text=_(
            "Index columns: year, enterprise, team, title, file (or 年份, 单位名称, 班组名称, "
            "经验名称, 文件); file is the document's path inside the ZIP."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = _("At most %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES >> 20}
        self.fields["file"].help_text = f"{self.fields['file'].help_text} {limit}"

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith(".zip"):
            raise forms.ValidationError(_("Upload a .zip file."), code="extension")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The ZIP is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES >> 20},
                code="too_large",
            )
        return upload


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@require_POST
def start_scan(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_admin(request, "screening scan")
    job = jobs.start_scan(edition=edition_or_404(request), user=request.user, ip=client_ip(request))
    job.refresh_from_db()  # an immediate task backend may have run it already
    if getattr(request, "htmx", False):
        return render_status(request, job)
    return _back(request, "screening:archive")


@require_POST
def import_archive(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_admin(request, "screening archive import")
    edition = edition_or_404(request)
    form = ArchiveUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _archive_page(request, form, status=400)
    job = jobs.start_import(
        edition=edition,
        user=request.user,
        chunks=form.cleaned_data["file"].chunks(),
        ip=client_ip(request),
    )
    if getattr(request, "htmx", False):
        job.refresh_from_db()
        return render_status(request, job)
    return redirect("screening:archive")


@require_GET
def archive_template(request: HttpRequest) -> HttpResponse:
    """The index template to fill in: the columns the import reads."""
    require_admin(request, "screening archive template")
    rendered = index_template()
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )


@require_GET
def archive(request: HttpRequest) -> HttpResponse:
    require_admin(request, "screening archive")
    return _archive_page(request, ArchiveUploadForm())


def _archive_page(request: HttpRequest, form: ArchiveUploadForm, status: int = 200) -> HttpResponse:
    edition = edition_or_404(request)
    documents = ArchiveDocument.objects.defer("text").order_by("-year", "enterprise_name", "pk")
    page = Paginator(documents, ARCHIVE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "edition": edition,
        "form": form,
        "page": page,
        "total": page.paginator.count,
        "latest_import": jobs.latest(edition, jobs.ARCHIVE_IMPORT),
        "latest_published": jobs.latest_of_any_edition(jobs.ARCHIVE_PUBLISHED),
    }
    return render(request, "screening/archive.html", context, status=status)
