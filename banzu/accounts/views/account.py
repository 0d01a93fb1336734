from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from banzu.accounts import services
from banzu.accounts.forms.account import INDUSTRIES, EnterpriseForm, RegistrationForm
from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.audit.services import client_ip
from banzu.core.access import applicant_required


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.register_applicant(
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password1"],
            full_name=form.cleaned_data["full_name"],
            email=form.cleaned_data["email"],
            phone=form.cleaned_data["phone"],
            ip=client_ip(request),
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request, _("Your account is ready. Next: register your enterprise (单位).")
        )
        return redirect("accounts:enterprise")
    return render(request, "accounts/register.html", {"form": form})


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
