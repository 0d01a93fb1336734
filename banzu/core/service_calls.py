"""A view calling one service: the service's refusal (a ServiceError) becomes an error message, its
success a success message; the view then redirects. Views where the refusal belongs beside a form
add it to the form with `refusal_on_form` instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from banzu.core.errors import ServiceError

T = TypeVar("T")

# The success message, or how to word it from what the service returned (read after the call).
Success = str | Callable[[T], str]


def run_service(request: HttpRequest, call: Callable[[], T], *, success: Success[T]) -> bool:
    """Call the service and say how it went; True when it went through."""
    try:
        result = call()
    except ServiceError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def run_with_reason(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[str], T],
    *,
    success: Success[T],
    invalid: str = "",
) -> bool:
    """The same for a service that takes a reason from a bound form with a ``reason`` field. An
    invalid form is refused with `invalid`, or the form's own messages."""
    if not form.is_valid():
        messages.error(
            request, invalid or " ".join(str(e) for errors in form.errors.values() for e in errors)
        )
        return False
    return run_service(request, lambda: call(form.cleaned_data["reason"]), success=success)


def refusal_on_form(form: forms.Form, refused: ServiceError) -> None:
    """The service's refusal on the form: its message above the fields, and each of its field
    errors beside the field it names (field errors for fields the form lacks stay above)."""
    form.add_error(None, refused.message)
    for name, message in refused.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
