"""The one access policy: the roles, their predicates, the role gate and `deny()`.

The rule every page follows (healthchecks' `_get_rw_check_for_user`): outside a user's scope an
object or a page does not exist for them (404); in scope but read-only it is 403. A role gate is
a scope: a recommender asking for the provincial admin's pages gets 404, like any object outside
their scope. Every refusal is journalled once, here, as ``access.denied``. Objects are fetched
through each app's ``get_<thing>_for_user_or_404`` in its ``permissions`` module, which call
`deny()`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from banzu.audit.services import client_ip, record

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


class Role(models.TextChoices):
    ADMIN = "admin", _("Provincial admin")
    RECOMMENDER = "recommender", _("Recommender staff")
    APPLICANT = "applicant", _("Applicant")
    EXPERT = "expert", _("Expert")
    SECRETARY = "secretary", _("Room secretary")


class Person(Protocol):
    """What the policy reads of a user (banzu.accounts.models.User satisfies it). Read-only
    members, so that a model whose ``is_authenticated`` is a property satisfies it."""

    @property
    def pk(self) -> Any: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_active(self) -> bool: ...
    @property
    def role(self) -> str: ...
    @property
    def recommender_id(self) -> int | None: ...
    @property
    def enterprise_id(self) -> int | None: ...


# Whoever a request carries: a signed-in person, Django's anonymous user, or no one (a job).
Someone: TypeAlias = "Person | AnonymousUser | None"


def has_role(user: Someone, *roles: Role) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", None) in roles
    )


def is_admin(user: Someone) -> bool:
    return has_role(user, Role.ADMIN)


def is_recommender_staff(user: Someone) -> bool:
    return has_role(user, Role.RECOMMENDER) and getattr(user, "recommender_id", None) is not None


def is_applicant(user: Someone) -> bool:
    return has_role(user, Role.APPLICANT)


def is_expert(user: Someone) -> bool:
    return has_role(user, Role.EXPERT)


def is_secretary(user: Someone) -> bool:
    """A room secretary of the presentation event: runs the console of the one room the admin
    bound them to."""
    return has_role(user, Role.SECRETARY)


def deny(
    who: HttpRequest | Someone,
    what: str,
    pk: Any = "",
    *,
    code: Literal["404", "403"] = "404",
    ip: str | None = None,
) -> Http404 | PermissionDenied:
    """Journal a refusal once and return the exception to raise: 404 outside the scope, 403 in
    scope but read-only. `who` is the request (its user and address are read) or a user."""
    user: Someone
    if isinstance(who, HttpRequest):
        user = who.user
        ip = ip or client_ip(who)
    else:
        # django-stubs' plugin rewrites HttpRequest, so isinstance() does not narrow it away here.
        user = cast("Someone", who)
    record(
        action="access.denied",
        actor=user if user is not None and user.is_authenticated else None,
        data={"object": what, "id": str(pk), "code": code},
        ip=ip,
    )
    return Http404() if code == "404" else PermissionDenied()


View = Callable[..., HttpResponse]


def role_required(*roles: Role, what: str = "page") -> Callable[[View], View]:
    """The one role gate: anonymous users go to the login page; a user of another role is
    outside the page's scope, so it does not exist for them (404, journalled)."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise deny(request, what, kwargs.get("pk", ""))
            return view(request, *args, **kwargs)

        wrapper.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapper

    return decorator


def require_role(request: HttpRequest, *roles: Role, what: str = "page", pk: Any = "") -> None:
    """The role gate inside a view (where a decorator does not fit): 404 and a journal entry."""
    if not has_role(request.user, *roles):
        raise deny(request, what, pk)


def require_admin(request: HttpRequest, what: str = "page", pk: Any = "") -> None:
    """The provincial admin's pages: to anyone else they do not exist."""
    require_role(request, Role.ADMIN, what=what, pk=pk)


admin_required = role_required(Role.ADMIN)
applicant_required = role_required(Role.APPLICANT)

# The roles of the competition itself: applying, recommending, reviewing and running it. A page
# "for every signed-in user" is for these. The room secretary is not among them: an event-day
# account whose scope is their room's console and what it links to (banzu.presentations), so a
# general page does not exist for them (404) — and a role added later starts outside too.
PIPELINE_ROLES = (Role.ADMIN, Role.RECOMMENDER, Role.APPLICANT, Role.EXPERT)


def require_public_scope(request: HttpRequest, what: str = "page", pk: Any = "") -> None:
    """A public page (reached without logging in): a signed-in user outside the pipeline roles
    is outside its scope, like any other general page (404, journalled)."""
    if request.user.is_authenticated:
        require_role(request, *PIPELINE_ROLES, what=what, pk=pk)
