"""TOTP enrolment and verification for the roles that need a second factor."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_totp.models import TOTPDevice

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.middleware import SECOND_FACTOR_ROLES
from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import client_ip, record

actions.register(
    "account.second_factor_enrolled",
    "account.second_factor_failed",
    "account.second_factor_verified",
)


class TokenForm(forms.Form):
    token = forms.RegexField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        regex=r"^\d{6}$",
        error_messages={"invalid": gettext_lazy("Enter the six digits shown by the app.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _enrolment_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Enrol (first time) or verify (every login) the user's TOTP authenticator."""
    user = request.user
    if user.role not in SECOND_FACTOR_ROLES or is_verified(user):
        return redirect("home")
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or _enrolment_device(user)
    form = TokenForm(request.POST or None)
    ip = client_ip(request)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                if not device.confirmed:
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    record(action="account.second_factor_enrolled", actor=user, ip=ip)
                otp_login(request, device)
                record(action="account.second_factor_verified", actor=user, ip=ip)
            messages.success(request, _("Second factor confirmed."))
            return redirect("home")
        record(action="account.second_factor_failed", actor=user, ip=ip)
        form.add_error("token", _("The code is not right or has expired. Try the current one."))
    context: dict[str, Any] = {"form": form, "enrolling": confirmed is None}
    if confirmed is None:
        qr = segno.make(device.config_url, error="m")
        # segno writes plain SVG markup from the otpauth URL: no user input reaches it.
        context["qr_svg"] = mark_safe(qr.svg_inline(scale=4))  # noqa: S308
        context["secret"] = _base32(device.bin_key)
    return render(request, "accounts/second_factor.html", context)


def _base32(key: bytes) -> str:
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
