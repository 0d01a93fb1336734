"""The expert pool's pages. The provincial admin's only: to anyone else every page does not exist
(404) and the refusal is in the journal. The welcome page is public: an invited expert chooses a
password there, with the link's token."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.enums import Role
from banzu.accounts.forms.manage import add_service_error
from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import client_ip, record
from banzu.core.access import require_public_scope, role_required
from banzu.core.responses import attachment_response
from banzu.core.service_calls import run_service
from banzu.documents.xlsx import XLSX_CONTENT_TYPE
from banzu.review import pool, pool_import
from banzu.review.forms.pool import ExpertForm, ImportConfirmForm, ImportUploadForm, PoolFilterForm
from banzu.review.models import ExpertProfile
from banzu.review.permissions import get_expert_profile_or_404

actions.register("export.expert_pool")

PAGE_SIZE = 100
View = Callable[..., HttpResponse]


pool_admin_only = role_required(Role.ADMIN, what="expert pool")


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


@pool_admin_only
@require_GET
def expert_list(request: HttpRequest) -> HttpResponse:
    filters, profiles = _filtered(request)
    page = Paginator(profiles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "review/pool/list.html",
        {"filters": filters, "page": page, "uninvited": pool.uninvited_count()},
    )


def _filtered(request: HttpRequest) -> tuple[PoolFilterForm, list[ExpertProfile]]:
    filters = PoolFilterForm(request.GET, specialities=pool.speciality_choices())
    query = speciality = ""
    if filters.is_valid():
        query, speciality = filters.cleaned_data["q"], filters.cleaned_data["speciality"]
    return filters, pool.pool_profiles(query=query, speciality=speciality)


@pool_admin_only
@require_GET
def expert_list_xlsx(request: HttpRequest) -> HttpResponse:
    """The list as filtered, every page, as a workbook in the import template's columns."""
    _filters, profiles = _filtered(request)
    prefetch_related_objects(profiles, "recommenders")
    content = pool_import.pool_export(profiles)
    record(
        action="export.expert_pool",
        actor=_admin(request),
        data={"format": "xlsx", "experts": len(profiles)},
        ip=client_ip(request),
    )
    filename = f"专家库_{timezone.localdate():%Y%m%d}.xlsx"
    return attachment_response(content, filename=filename, content_type=XLSX_CONTENT_TYPE)


@pool_admin_only
@require_http_methods(["GET", "POST"])
def expert_create(request: HttpRequest) -> HttpResponse:
    form = ExpertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = pool.create_expert(
                by=_admin(request), data=form.expert_data(), ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Expert “%(name)s” added with the username %(username)s.")
                % {"name": profile.user.full_name, "username": profile.user.username},
            )
            return redirect("review:experts")
    return render(request, "review/pool/form.html", {"form": form, "profile": None})


@pool_admin_only
@require_http_methods(["GET", "POST"])
def expert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_expert_profile_or_404(pk)
    name = profile.user.full_name or profile.user.username
    form = ExpertForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        try:
            pool.update_expert(
                by=_admin(request), profile=profile, data=form.expert_data(), ip=client_ip(request)
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request, _("Expert “%(name)s” saved.") % {"name": profile.user.full_name}
            )
            return redirect("review:experts")
    return render(
        request, "review/pool/form.html", {"form": form, "profile": profile, "name": name}
    )


@pool_admin_only
@require_http_methods(["GET", "POST"])
def expert_import(request: HttpRequest) -> HttpResponse:
    """Upload → preview of what each row would do → confirm (the signed rows come back)."""
    admin = _admin(request)
    if request.method == "POST" and "payload" in request.POST:
        confirm = ImportConfirmForm(request.POST, user_pk=admin.pk)
        if not confirm.is_valid():
            messages.error(request, _("The preview has expired; upload the file again."))
            return redirect("review:expert_import")
        plan = pool_import.import_experts(
            by=admin, rows=confirm.cleaned_data["payload"], ip=client_ip(request)
        )
        messages.success(
            request,
            _("Import done: %(created)d added, %(updated)d updated.")
            % {"created": len(plan.created), "updated": len(plan.updated)},
        )
        if plan.refused:
            messages.warning(
                request,
                _("Not imported: %(rows)s")
                % {
                    "rows": "; ".join(
                        _("row %(row)d (%(reasons)s)")
                        % {"row": row.number, "reasons": ", ".join(row.reasons)}
                        for row in plan.refused
                    )
                },
            )
        return redirect("review:experts")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        rows = form.cleaned_data["file"]
        plan = pool_import.plan_import(rows)
        importable = {row.number for row in plan.rows if row.action != "refuse"}
        payload = ImportConfirmForm.sign(
            [row for row in rows if row[0] in importable], user_pk=admin.pk
        )
        return render(
            request,
            "review/pool/import_preview.html",
            {
                "plan": plan,
                "importable": len(importable),
                "confirm": ImportConfirmForm(initial={"payload": payload}, user_pk=admin.pk),
            },
        )
    return render(request, "review/pool/import.html", {"form": form})


@pool_admin_only
@require_GET
def expert_import_template(request: HttpRequest) -> HttpResponse:
    return attachment_response(
        pool_import.import_template(), filename="专家名单模板.xlsx", content_type=XLSX_CONTENT_TYPE
    )


@pool_admin_only
@require_POST
def expert_invite(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_expert_profile_or_404(pk)
    run_service(
        request,
        lambda: pool.invite_expert(by=_admin(request), profile=profile, ip=client_ip(request)),
        success=lambda _invited: (
            _("Invitation sent to %(name)s (%(email)s).")
            % {"name": profile.user, "email": profile.user.email}
        ),
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("review:experts")


@pool_admin_only
@require_POST
def expert_invite_all(request: HttpRequest) -> HttpResponse:
    count = pool.invite_all(by=_admin(request), ip=client_ip(request))
    if count:
        messages.success(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", count)
            % {"count": count},
        )
    else:
        messages.warning(request, _("Every active expert with an e-mail is invited already."))
    return redirect("review:experts")


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
@require_http_methods(["GET", "POST"])
def expert_welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Public: the invited expert chooses a password. Nobody is logged in here; the login
    (with its second factor) comes next. A room secretary's session is for their room only."""
    require_public_scope(request, "expert welcome link")
    expert = pool.expert_for_welcome(uidb64, token)
    if expert is None:
        record(
            action="access.denied",
            actor=request.user if request.user.is_authenticated else None,
            data={"object": "expert welcome link", "id": uidb64[:20], "code": "invalid"},
            ip=client_ip(request),
        )
        return render(request, "review/pool/welcome_invalid.html")
    form = SetPasswordForm(expert, request.POST or None)
    if request.method == "POST" and form.is_valid():
        pool.set_expert_password(
            user=expert, password=form.cleaned_data["new_password1"], ip=client_ip(request)
        )
        messages.success(
            request,
            _("Your password is set. Log in with the username %(username)s and your password.")
            % {"username": expert.username},
        )
        return redirect("accounts:login")
    return render(request, "review/pool/welcome.html", {"form": form, "expert": expert})
