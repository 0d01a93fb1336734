"""The request a signed-in user makes, typed so that mypy checks what views do with the user.

Django types ``request.user`` as ``User | AnonymousUser``; behind a login gate it is always a
``User``. Annotate a view's request as `AuthenticatedHttpRequest` when, and only when, every path
to the view passes ``login_required``, ``role_required`` (or ``admin_required`` and the other
role gates of ``banzu.core.access``), or when the view's first statement is a role gate
(``require_admin``, ``require_role``), which turns anonymous users away before the user is read:
the annotation is a promise the gate keeps, which mypy cannot verify. A view that anonymous
users reach keeps ``HttpRequest`` and handles ``AnonymousUser`` (django-stubs' documented
pattern: "How can I create a HttpRequest that's guaranteed to have an authenticated user?").
"""

from __future__ import annotations

from django.http import HttpRequest

from banzu.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
