"""The provincial admin's edition pages: list, create (optionally copying a rubric and a
presentation sheet), configure."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import admin_required
from banzu.core.params import int_param
from banzu.editions import resolver, selectors, services
from banzu.editions.forms import EditionConfiguration, EditionCreateForm, add_service_error
from banzu.editions.models import Edition


@admin_required
@require_GET
def edition_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    editions = Edition.objects.annotate(application_count=Count("applications")).order_by("-year")
    return render(request, "manage/editions.html", {"editions": editions})


@admin_required
@require_http_methods(["GET", "POST"])
def edition_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = EditionCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            edition = services.create_edition(
                by=request.user,
                fields=form.edition_fields(),
                copy_from=form.copy_source(),
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Edition “%(title)s” created. Check its rubric and award tiers below.")
                % {"title": edition.title},
            )
            return redirect("manage:edition_edit", pk=edition.pk)
    return render(request, "manage/edition_create.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def edition_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    edition = get_object_or_404(Edition, pk=pk)
    title = edition.title
    config = EditionConfiguration(request.POST or None, edition=edition)
    if request.method == "POST" and config.is_valid():
        try:
            services.update_edition(
                by=request.user, edition=edition, ip=client_ip(request), **config.service_kwargs()
            )
        except ValidationError as error:
            config.add_service_error(error)
        else:
            messages.success(request, _("Edition “%(title)s” saved.") % {"title": edition.title})
            return redirect("manage:editions")
    return render(
        request,
        "editions/edition_edit.html",
        {
            "edition": edition,
            "title": title,
            "form": config.form,
            "rubric": config.rubric,
            "source": config.source,
            "presentation": config.presentation,
            "scaled_rubric": selectors.scaled_rubric(edition),
            "tiers": config.tiers,
        },
    )


@admin_required
@require_POST
def edition_switch(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The admin chooses the edition the following pages work on (kept in the session)."""
    year = int_param(request.POST.get("year"), maximum=9999)
    edition = resolver.choose(request, year) if year is not None else None
    if edition is None:
        messages.error(request, _("There is no such edition."))
    # Otherwise the switcher and, away from the current edition, the banner say where one is.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    # The page may have named an edition in its query string; the choice replaces it.
    return redirect(target.split("?", 1)[0] if "edition=" in target else target)
