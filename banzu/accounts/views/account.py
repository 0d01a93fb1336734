from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from banzu.accounts import registration, services
from banzu.accounts.forms.account import (
    INDUSTRIES,
    EnterpriseForm,
    LoginForm,
    RegistrationForm,
)
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import applicant_required
from banzu.core.errors import ServiceError


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Whether the name was free or not, the answer is the same page: the mail tells which."""
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registration.register_applicant(
                username=data["username"],
                password=data["password1"],
                full_name=data["full_name"],
                email=data["email"],
                phone=data["phone"],
                ip=client_ip(request),
            )
        except ServiceError as error:  # too many from this address
            form.add_error(None, error.message)
            return render(request, "accounts/register.html", {"form": form}, status=429)
        return render(
            request,
            "accounts/register_sent.html",
            {
                "username": data["username"],
                "email": data["email"],
                "hours": registration.confirm_hours(),
            },
        )
    return render(request, "accounts/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: a page with one button (a mail scanner's GET activates nothing)."""
    if request.user.is_authenticated:
        return redirect("home")
    user = registration.pending_user(token)
    if user is not None and request.method == "POST":
        try:
            registration.confirm_registration(user=user, ip=client_ip(request))
        except ServiceError:  # confirmed a moment ago in another tab
            user = None
        else:
            messages.success(
                request,
                _(
                    "Your e-mail address is confirmed and your account is active. Log in, then "
                    "register your enterprise (单位)."
                ),
            )
            next_page = urlencode({"next": reverse("accounts:enterprise")})
            return redirect(f"{reverse('accounts:login')}?{next_page}")
    if user is None:
        return render(
            request,
            "accounts/confirm_invalid.html",
            {"hours": registration.confirm_hours()},
            status=400,
        )
    return render(request, "accounts/confirm.html", {"account": user})


@applicant_required
@require_http_methods(["GET", "POST"])
def enterprise(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    current = user.enterprise
    form = EnterpriseForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        if current is None:
            services.create_enterprise(user=user, fields=fields, ip=client_ip(request))
            messages.success(
                request, _("Enterprise registered. Next: start your team's application.")
            )
            return redirect("applications:start")
        services.update_enterprise(
            user=user,
            enterprise=current,
            fields=fields,
            ip=client_ip(request),
        )
        messages.success(request, _("Enterprise data saved."))
        return redirect("home")
    return render(
        request,
        "accounts/enterprise.html",
        {"form": form, "industries": INDUSTRIES, "creating": current is None},
    )
