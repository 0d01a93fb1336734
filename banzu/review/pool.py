"""The expert pool, the provincial admin's: adding and editing experts and inviting them to
choose their password (importing them from a spreadsheet is banzu.review.pool_import).

An expert is a User of role expert (name, e-mail, phone) with an ExpertProfile (where they work,
what they know, whom they belong to). New experts get an unusable password; the invitation's
link (django.contrib.auth's token) lets them choose one, and dies once they have, or after
settings.PASSWORD_RESET_TIMEOUT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.accounts.validators import normalise_phone
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.core.outbox import queue
from banzu.review.enums import ACTIVE_ASSIGNMENT_STATES
from banzu.review.models import ExpertProfile
from banzu.review.selectors import REVIEW_STATES

actions.register("expert.create", "expert.invite", "expert.password_set", "expert.update")

SEPARATORS = re.compile(r"[、，,;；/／\n]+")
MAX_SPECIALITY_LENGTH = 100
PROFILE_FIELDS = ["organisation", "city", "specialities", "employer", "is_available"]


@dataclass(frozen=True)
class ExpertData:
    """Everything the admin says about one expert, from the form or a spreadsheet row."""

    full_name: str
    email: str
    organisation: str
    phone: str = ""
    city: str = ""
    specialities: tuple[str, ...] = ()
    employer: Enterprise | None = None
    recommenders: tuple[Recommender, ...] = ()
    is_available: bool = True


def split_list(text: str) -> list[str]:
    """ "房建、市政, 公路" → ["房建", "市政", "公路"]: trimmed, without blanks or repeats."""
    return _unique(part.strip() for part in SEPARATORS.split(text or ""))


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)


# --- reads ---------------------------------------------------------------------------------


def pool_profiles(*, query: str = "", speciality: str = "") -> list[ExpertProfile]:
    """The pool for the admin's list, in one query, each with `reviewing`: the applications
    they review now (assigned, not declined, still in the review). The speciality is matched
    in Python: SQLite cannot look inside a JSON list, and the pool is a few hundred people."""
    profiles = (
        ExpertProfile.objects.select_related("user")
        .annotate(
            reviewing=Count(
                "user__assignments",
                filter=Q(
                    user__assignments__state__in=ACTIVE_ASSIGNMENT_STATES,
                    user__assignments__application__state__in=REVIEW_STATES,
                ),
            )
        )
        .order_by("user__full_name", "user__username")
    )
    if query := query.strip():
        profiles = profiles.filter(
            Q(user__full_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(user__email__icontains=query)
            | Q(user__phone__icontains=query)
            | Q(organisation__icontains=query)
            | Q(city__icontains=query)
        )
    found: list[ExpertProfile] = list(profiles)
    if speciality:
        found = [profile for profile in found if speciality in (profile.specialities or [])]
    return found


def speciality_choices() -> list[str]:
    """The enterprises' industries and the specialities already on profiles (two queries)."""
    known = set(Enterprise.objects.order_by().values_list("industry", flat=True).distinct())
    for specialities in ExpertProfile.objects.values_list("specialities", flat=True):
        known.update(s.strip() for s in specialities or [] if isinstance(s, str))
    known.discard("")
    return sorted(known)


def uninvited_count() -> int:
    return _uninvited().count()


def _uninvited() -> QuerySet[ExpertProfile]:
    """Active experts with an e-mail who were never invited and have no password yet (one set
    otherwise, as the demo's, needs no invitation)."""
    return (
        ExpertProfile.objects.select_related("user")
        .filter(invited_at__isnull=True, user__is_active=True, user__role=Role.EXPERT)
        .filter(user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(user__email="")
    )


# --- one expert ----------------------------------------------------------------------------


def create_expert(*, by: User, data: ExpertData, ip: str | None = None) -> ExpertProfile:
    """A new expert account (unusable password: the invitation sets one) and its profile."""
    with transaction.atomic():
        return _create(by=by, data=data, user=None, ip=ip)


def update_expert(
    *, by: User, profile: ExpertProfile, data: ExpertData, ip: str | None = None
) -> ExpertProfile:
    with transaction.atomic():
        return _update(by=by, profile=profile, data=data, ip=ip)


def _create(*, by: User, data: ExpertData, user: User | None, ip: str | None) -> ExpertProfile:
    """With `user`, an expert account made elsewhere (the accounts page) gets its profile."""
    if user is None:
        user = User(username=_new_username(data.email), role=Role.EXPERT, is_staff=False)
        user.set_unusable_password()
    profile = ExpertProfile(user=user)
    _assign(user, profile, data)
    _validate(user, profile)
    if user.pk is None:
        user.save()
    else:
        user.save(update_fields=["full_name", "email", "phone"])
    profile.user = user
    profile.save()
    profile.recommenders.set(data.recommenders)
    record(
        action="expert.create",
        actor=by,
        target=profile,
        data={"user": user.pk, "username": user.username, "email": user.email},
        ip=ip,
    )
    return profile


def _update(*, by: User, profile: ExpertProfile, data: ExpertData, ip: str | None) -> ExpertProfile:
    user = profile.user
    before = _snapshot(profile)
    _assign(user, profile, data)
    _validate(user, profile)
    # Only these columns: the expert may be choosing a password at the same moment.
    user.save(update_fields=["full_name", "email", "phone"])
    profile.save(update_fields=PROFILE_FIELDS)
    profile.recommenders.set(data.recommenders)
    after = _snapshot(profile)
    record(
        action="expert.update",
        actor=by,
        target=profile,
        data={"fields": sorted(name for name in after if after[name] != before[name])},
        ip=ip,
    )
    return profile


def _snapshot(profile: ExpertProfile) -> dict[str, Any]:
    user = profile.user
    return {
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "organisation": profile.organisation,
        "city": profile.city,
        "specialities": list(profile.specialities or []),
        "employer": profile.employer_id,
        "recommenders": sorted(profile.recommenders.values_list("pk", flat=True)),
        "is_available": profile.is_available,
    }


def _assign(user: User, profile: ExpertProfile, data: ExpertData) -> None:
    user.full_name = data.full_name.strip()
    user.email = data.email.strip()
    user.phone = normalise_phone(data.phone)
    profile.organisation = data.organisation.strip()
    profile.city = data.city.strip()
    profile.specialities = _unique(s.strip() for s in data.specialities)
    profile.employer = data.employer or find_employer(profile.organisation)
    profile.is_available = data.is_available


def find_employer(organisation: str) -> Enterprise | None:
    """The applying enterprise whose name is exactly the organisation (spaces aside)."""
    names = {organisation.strip(), re.sub(r"\s+", "", organisation)} - {""}
    if not names:
        return None
    return Enterprise.objects.filter(name__in=names).order_by("pk").first()


def _validate(user: User, profile: ExpertProfile) -> None:
    errors: dict[str, list[str]] = {}
    if not user.email:
        errors["email"] = [_("The e-mail is required: the invitation goes there.")]
    else:
        owner = User.objects.filter(email__iexact=user.email).exclude(pk=user.pk).first()
        if owner is not None:
            errors["email"] = [
                _("The account “%(username)s” already uses this e-mail.")
                % {"username": owner.username}
            ]
    too_long = [s for s in profile.specialities if len(s) > MAX_SPECIALITY_LENGTH]
    if too_long:
        errors["specialities"] = [
            _("A speciality has at most %(count)d characters: %(name)s")
            % {"count": MAX_SPECIALITY_LENGTH, "name": too_long[0]}
        ]
    for instance, exclude in ((user, ["password"]), (profile, ["user"])):
        try:
            instance.full_clean(exclude=exclude)
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _new_username(email: str) -> str:
    """The e-mail's local part, made unique with a number: zhang.wei, zhang.wei2, …"""
    local = email.strip().split("@", 1)[0].lower()
    base = re.sub(r"[^a-z0-9._+-]", "", local)[:140] or "expert"
    taken = {
        name.lower()
        for name in User.objects.filter(username__istartswith=base).values_list(
            "username", flat=True
        )
    }
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{number}", number + 1
    return candidate


# --- invitations ---------------------------------------------------------------------------


def invite_expert(*, by: User, profile: ExpertProfile, ip: str | None = None) -> None:
    """Mail the expert a link to choose their password (again, if they were invited before)."""
    user = profile.user
    if not user.is_active:
        raise ServiceError(_("The account of %(name)s is deactivated.") % {"name": user})
    if not user.email:
        raise ServiceError(_("%(name)s has no e-mail address.") % {"name": user})
    with transaction.atomic():
        _invite(by=by, profile=profile, ip=ip)


def invite_all(*, by: User, ip: str | None = None) -> int:
    """Invite every active expert who was never invited; how many were."""
    with transaction.atomic():
        profiles = list(_uninvited())
        for profile in profiles:
            _invite(by=by, profile=profile, ip=ip)
    return len(profiles)


def _invite(*, by: User, profile: ExpertProfile, ip: str | None) -> None:
    profile.invited_at = timezone.now()
    profile.save(update_fields=["invited_at"])
    user = profile.user
    record(
        action="expert.invite",
        actor=by,
        target=profile,
        data={"user": user.pk, "email": user.email},
        ip=ip,
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Invitation: expert review of the Quality Trustworthy Team Activity")
        body = _(
            "Dear %(name)s,\n\n"
            "The Zhejiang Engineering Construction Quality Management Association invites you "
            "to review applications of the Quality Trustworthy Team Activity as an expert.\n\n"
            "Your username: %(username)s\n\n"
            "Choose your password at this address (the link works once, for %(validity)s):\n"
            "%(link)s\n\n"
            "At your first login you will also link an authenticator app, which gives the "
            "six-digit code asked at each login.\n\n"
            "If the link no longer works, ask the association for a new invitation."
        ) % {
            "name": user.full_name or user.username,
            "username": user.username,
            "validity": _validity(),
            "link": settings.SITE_URL + welcome_path(user),
        }
    queue([user.email], subject, body)


def _validity() -> str:
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    if seconds >= 86400:
        days = seconds // 86400
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    hours = max(1, seconds // 3600)
    return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}


def welcome_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("review:expert_welcome", args=[uidb64, token])


def expert_for_welcome(uidb64: str, token: str) -> User | None:
    """The active expert the link was made for, while the link is valid; else None."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, UnicodeDecodeError):
        return None
    if not 0 < pk < 2**63:
        return None
    user = User.objects.filter(pk=pk, role=Role.EXPERT, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def set_expert_password(*, user: User, password: str, ip: str | None = None) -> None:
    """The expert chose a password (validated by the form); the link dies with the old hash."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(action="expert.password_set", actor=user, target=user, ip=ip)
