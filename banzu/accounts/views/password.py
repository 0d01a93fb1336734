"""Forgotten passwords (banzu.accounts.password_reset): ask for a link, then set a new password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from banzu.accounts import password_reset
from banzu.accounts.forms.account import NewPasswordForm, PasswordResetRequestForm
from banzu.audit.services import client_ip
from banzu.core.errors import ServiceError


@require_http_methods(["GET", "POST"])
def request_reset(request: HttpRequest) -> HttpResponse:
    """Whether the address has an account or not, the answer is the same page."""
    if request.user.is_authenticated:
        return redirect("home")
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            password_reset.request_reset(email=email, ip=client_ip(request))
        except ServiceError as error:  # too many from this address
            form.add_error(None, error.message)
            return render(request, "accounts/password_reset.html", {"form": form}, status=429)
        return render(
            request,
            "accounts/password_reset_sent.html",
            {"email": email, "hours": password_reset.link_hours()},
        )
    return render(request, "accounts/password_reset.html", {"form": form})


class SetNewPasswordView(auth_views.PasswordResetConfirmView):
    """Django's view checks the link (and moves its token out of the address bar); the new
    password is set by the service, which journals it."""

    form_class = NewPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:  # as the log-in and registration pages
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        password_reset.set_new_password(
            user=form.user,
            password=form.cleaned_data["new_password1"],
            ip=client_ip(self.request),
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["hours"] = password_reset.link_hours()
        return context


@require_GET
def reset_complete(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_complete.html")
