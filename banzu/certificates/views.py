"""The certificates' pages: once an edition is published the admin issues them from the version
published (a background job builds the ZIP) and revokes one with a reason; an applicant reads its
own published result and downloads its certificate, a recommender its region's; anyone verifies
a certificate through the link of its QR code."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.certificates import jobs, results, services
from banzu.certificates.models import Certificate
from banzu.certificates.pdf import filename
from banzu.certificates.pdf import render as render_pdf
from banzu.certificates.permissions import (
    get_certificate_for_user_or_404,
    get_zip_for_user_or_404,
)
from banzu.core import filestore
from banzu.core.access import (
    Role,
    admin_required,
    deny,
    is_admin,
    is_recommender_staff,
    require_admin,
    require_public_scope,
    require_role,
)
from banzu.core.errors import ServiceError
from banzu.core.responses import attachment_response, download_response
from banzu.editions.models import Edition
from banzu.jobs.enums import JobState
from banzu.jobs.presentation import render_status
from banzu.publicity.models import Publicity
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion

actions.register("export.certificate")
actions.register("export.certificates_zip")


def _sealed_or_404(request: HttpRequest, pk: int) -> ResultsVersion:
    require_admin(request, "results version", pk)
    return get_object_or_404(
        ResultsVersion.objects.select_related("edition"), pk=pk, state=VersionState.SEALED
    )


@dataclass
class EditionCertificates:
    """One edition on the admin's certificates page."""

    edition: Edition
    publicity: Publicity | None  # once published
    issued: int  # certificates of the published version
    versions: list[ResultsVersion]  # every sealed version, newest first


@admin_required
@require_GET
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    versions = (
        ResultsVersion.objects.filter(state=VersionState.SEALED)
        .select_related("edition")
        .order_by("-edition__year", "-number")
    )
    published = {
        publicity.edition_id: publicity
        for publicity in Publicity.objects.filter(published=True).select_related("version")
    }
    issued = dict(Certificate.objects.values_list("version_id").annotate(n=Count("pk")).order_by())
    editions: dict[int, EditionCertificates] = {}
    for found in versions:
        publicity = published.get(found.edition_id)
        entry = editions.setdefault(
            found.edition_id,
            EditionCertificates(
                edition=found.edition,
                publicity=publicity,
                issued=0 if publicity is None else issued.get(publicity.version_id, 0),
                versions=[],
            ),
        )
        entry.versions.append(found)
    return render(request, "certificates/index.html", {"editions": list(editions.values())})


@admin_required
@require_POST
def issue(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    version = _sealed_or_404(request, pk)
    try:
        services.issue(version, by=request.user, ip=client_ip(request))
    except ServiceError as error:
        messages.error(request, str(error))
        return redirect("certificates:index")
    jobs.start_zip(version, user=request.user, ip=client_ip(request))
    messages.success(request, _("The certificates are issued; the ZIP is being generated."))
    return redirect("certificates:version", pk=version.pk)


@admin_required
@require_GET
def version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _sealed_or_404(request, pk)
    certificates = Certificate.objects.filter(version=found).order_by("serial")
    return render(
        request,
        "certificates/version.html",
        {
            "version": found,
            "certificates": certificates,
            "job": jobs.latest_zip(found),
            "poll_url": reverse("certificates:zip_status", args=[found.pk]),
        },
    )


@admin_required
@require_POST
def build_zip(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _sealed_or_404(request, pk)
    jobs.start_zip(found, user=request.user, ip=client_ip(request))
    return redirect("certificates:version", pk=found.pk)


@admin_required
@require_GET
def zip_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = _sealed_or_404(request, pk)
    poll_url = reverse("certificates:zip_status", args=[found.pk])
    return render_status(request, jobs.latest_zip(found), jobs.ZIP, poll_url=poll_url)


@login_required
@require_GET
def zip_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    require_admin(request, "certificates zip", pk)
    job = get_zip_for_user_or_404(request.user, pk, ip=client_ip(request))
    if job.state != JobState.DONE or not job.stored_name:
        raise Http404
    path = filestore.path_for(job.stored_name)
    if not path.is_file():
        raise Http404
    found = ResultsVersion.objects.select_related("edition").get(pk=job.scope_id)
    name = f"certificates-{found.edition.year}-v{found.number}.zip"
    record(
        action="export.certificates_zip",
        actor=request.user,
        target=job,
        data={"file": name, "sha256": job.sha256},
        ip=client_ip(request),
    )
    return download_response(path, filename=name, content_type="application/zip")


@admin_required
@require_POST
def revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = get_certificate_for_user_or_404(request.user, pk, ip=client_ip(request))
    try:
        services.revoke(
            certificate,
            by=request.user,
            reason=request.POST.get("reason", ""),
            ip=client_ip(request),
        )
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Certificate %(serial)s is revoked.") % {"serial": certificate.serial}
        )
    return redirect("certificates:version", pk=certificate.version_id)


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    require_role(request, Role.ADMIN, Role.APPLICANT, Role.RECOMMENDER, what="certificate", pk=pk)
    certificate = get_certificate_for_user_or_404(request.user, pk, ip=client_ip(request))
    if not certificate.is_valid and not is_admin(request.user):
        raise deny(request, "certificate", pk)  # revoked: no longer the holder's to print
    record(
        action="export.certificate",
        actor=request.user,
        target=certificate,
        data={"serial": certificate.serial},
        ip=client_ip(request),
    )
    return attachment_response(
        render_pdf(certificate), filename=filename(certificate), content_type="application/pdf"
    )


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An applicant's published results, or a recommender's region's, each with its
    certificate."""
    require_role(request, Role.APPLICANT, Role.RECOMMENDER, what="certificates")
    found = results.results_for(list(results.published_applications(request.user)))
    years = sorted({result.application.edition.year for result in found}, reverse=True)
    return render(
        request,
        "certificates/mine.html",
        {"results": found, "recommender": is_recommender_staff(request.user), "years": years},
    )


@login_required
@require_GET
def result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An applicant's own published result (404 before publication and to anyone else)."""
    require_role(request, Role.APPLICANT, what="published result", pk=pk)
    found = results.get_result_for_user_or_404(request.user, pk, ip=client_ip(request))
    return render(request, "certificates/result.html", {"result": found})


@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    require_public_scope(request, "certificate verification")
    certificate = services.verify(token, ip=client_ip(request))
    if certificate is None:
        return render(request, "certificates/unknown.html", status=404)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "fields": services.printed(certificate)},
    )
