"""The final publication's downloads: the commendation notice (public once the results are
published), the admin's full results workbook and each recommender's region workbook.

The admin's workbook is the sealed version the publicity shows, from the day the window opens:
the admin checks it during the window, and its title and file name say 公示稿 until the results
are published (404 while no window exists: the results pages show the versions before that).
A region's workbook exists once the results are published: for a recommender's staff their own
region (another's, asked for with ?recommender=, is 404), for the admin the region named by
?recommender=<pk>; for everyone else it does not exist. Both workbooks hold scores, so each
download is journalled; the public notice is not.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from banzu.accounts.models import Recommender
from banzu.audit import actions
from banzu.core.access import (
    deny,
    is_admin,
    is_recommender_staff,
    require_admin,
    require_public_scope,
)
from banzu.core.params import int_param
from banzu.core.responses import attachment_response
from banzu.documents.views import form_format, send_form
from banzu.editions.models import Edition
from banzu.publicity.commendation import commendation_file
from banzu.publicity.exports import region_file, results_file
from banzu.publicity.models import Publicity
from banzu.publicity.publication import published_publicity

actions.register("publicity.results_downloaded", "publicity.region_downloaded")


def _published(year: int) -> Publicity | None:
    edition = Edition.objects.filter(year=year).first()
    return published_publicity(edition) if edition is not None else None


@require_http_methods(["GET"])
def commendation(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    require_public_scope(request, "commendation", year)
    chosen = form_format(fmt)
    publicity = _published(year)
    if publicity is None:
        raise Http404  # not yet, like the public list before its window
    rendered = commendation_file(publicity, chosen)
    return attachment_response(
        rendered.content, filename=rendered.filename, content_type=rendered.content_type
    )


@login_required
@require_http_methods(["GET"])
def results_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    require_admin(request, "results_xlsx", year)
    publicity = (
        Publicity.objects.select_related("edition", "version").filter(edition__year=year).first()
    )
    if publicity is None:
        raise deny(request, "results_xlsx", year)
    return send_form(request, results_file(publicity), "publicity.results_downloaded", publicity)


def _region_or_404(request: HttpRequest, year: int) -> Recommender:
    asked = request.GET.get("recommender", "")
    user = request.user
    if is_admin(user):
        pk = int_param(asked)
        found = Recommender.objects.filter(pk=pk).first() if pk is not None else None
        if found is None:
            raise deny(request, "region_xlsx", asked or year)
        return found
    own: int | None = getattr(user, "recommender_id", None)
    if not is_recommender_staff(user) or own is None:
        raise deny(request, "region_xlsx", year)
    if asked and asked != str(own):
        raise deny(request, "region_xlsx", asked)
    return Recommender.objects.get(pk=own)


@login_required
@require_http_methods(["GET"])
def region_xlsx(request: HttpRequest, year: int) -> HttpResponse:
    recommender = _region_or_404(request, year)
    publicity = _published(year)
    if publicity is None:
        raise deny(request, "region_xlsx", year)
    rendered = region_file(publicity, recommender)
    return send_form(request, rendered, "publicity.region_downloaded", publicity)
