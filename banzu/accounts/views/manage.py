"""The provincial admin's pages for recommenders and accounts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from banzu.accounts import manage_services
from banzu.accounts.exports import accounts_workbook
from banzu.accounts.forms.manage import (
    AccountCreateForm,
    AccountEditForm,
    RecommenderForm,
    UserFilterForm,
    add_service_error,
)
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import Recommender, User
from banzu.accounts.selectors import filtered_accounts
from banzu.accounts.services import create_user
from banzu.audit.services import client_ip
from banzu.core.access import admin_required
from banzu.core.responses import attachment_response
from banzu.documents.xlsx import XLSX_CONTENT_TYPE

USERS_PER_PAGE = 50

# --- Recommenders ---------------------------------------------------------------------------


@admin_required
@require_GET
def recommender_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    # An aggregate drops Meta.ordering: the notice's order is asked for again.
    recommenders = Recommender.objects.annotate(staff_count=Count("staff")).order_by(
        "sort_order", "name"
    )
    return render(request, "manage/recommenders.html", {"recommenders": recommenders})


@admin_required
@require_http_methods(["GET", "POST"])
def recommender_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RecommenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recommender = manage_services.create_recommender(
                by=request.user, fields=form.all_fields(), ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Recommender “%(name)s” added.") % {"name": recommender.name}
            )
            return redirect("manage:recommenders")
    return render(request, "manage/recommender_form.html", {"form": form, "recommender": None})


@admin_required
@require_http_methods(["GET", "POST"])
def recommender_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommender = get_object_or_404(Recommender, pk=pk)
    name = recommender.name
    form = RecommenderForm(request.POST or None, instance=recommender)
    if request.method == "POST" and form.is_valid():
        try:
            manage_services.update_recommender(
                by=request.user,
                recommender=recommender,
                fields=form.changed_fields(),
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Recommender “%(name)s” saved.") % {"name": recommender.name}
            )
            return redirect("manage:recommenders")
    return render(
        request,
        "manage/recommender_form.html",
        {"form": form, "recommender": recommender, "name": name},
    )


# --- Accounts -------------------------------------------------------------------------------


@admin_required
@require_GET
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = UserFilterForm(request.GET)
    users = filtered_accounts(**filters.filters())
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "manage/users.html", {"filters": filters, "page": page})


@admin_required
@require_GET
def user_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list as filtered on the page, every page of it, as Excel."""
    users = filtered_accounts(**UserFilterForm(request.GET).filters())
    stamp = timezone.localdate().strftime("%Y%m%d")
    return attachment_response(
        accounts_workbook(users),
        filename=_("accounts-%(date)s.xlsx") % {"date": stamp},
        content_type=XLSX_CONTENT_TYPE,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = create_user(by=request.user, ip=client_ip(request), **form.create_kwargs())
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Account “%(username)s” created.") % {"username": user.username}
            )
            return redirect("manage:users")
    return render(request, "manage/user_form.html", {"form": form, "account": None})


@admin_required
@require_http_methods(["GET", "POST"])
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(User.objects.select_related("recommender", "enterprise"), pk=pk)
    username = account.username
    form = AccountEditForm(request.POST or None, instance=account, by=request.user)
    if request.method == "POST" and form.is_valid():
        new_password = form.new_password_value()
        try:
            manage_services.update_account(
                by=request.user,
                user=account,
                fields=form.changed_fields(),
                new_password=new_password,
                ip=client_ip(request),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            if new_password and account.pk == request.user.pk:
                # Changing one's own password would otherwise end this session.
                update_session_auth_hash(request, account)
            messages.success(
                request, _("Account “%(username)s” saved.") % {"username": account.username}
            )
            return redirect("manage:users")
    return render(
        request,
        "manage/user_form.html",
        {"form": form, "account": account, "username": username},
    )
