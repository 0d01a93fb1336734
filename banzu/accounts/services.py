from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError

actions.register(
    "account.create",
    "account.update",
    "enterprise.create",
    "enterprise.update",
)


def create_user(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    email: str = "",
    phone: str = "",
    recommender: Recommender | None = None,
    enterprise: Enterprise | None = None,
    is_demo: bool = False,
    ip: str | None = None,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            phone=phone,
            role=role,
            recommender=recommender if role == Role.RECOMMENDER else None,
            enterprise=enterprise if role == Role.APPLICANT else None,
            is_demo=is_demo,
            is_staff=False,
        )
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save()
        record(
            action="account.create",
            actor=by,
            target=user,
            data={"role": role, "recommender": recommender.pk if recommender else None},
            ip=ip,
        )
    return user


def update_user(*, by: User, user: User, fields: dict[str, Any], ip: str | None = None) -> User:
    with transaction.atomic():
        for key, value in fields.items():
            setattr(user, key, value)
        if user.role != Role.RECOMMENDER:
            user.recommender = None
        if user.role != Role.APPLICANT:
            user.enterprise = None
        user.full_clean(exclude=["password"])
        user.save()
        record(
            action="account.update",
            actor=by,
            target=user,
            data={"fields": sorted(fields)},
            ip=ip,
        )
    return user


def create_enterprise(*, user: User, fields: dict[str, Any], ip: str | None = None) -> Enterprise:
    if user.role != Role.APPLICANT:
        raise ServiceError(_("Only applicant accounts register an enterprise."))
    if user.enterprise_id is not None:
        raise ServiceError(_("Your account already belongs to an enterprise."))
    with transaction.atomic():
        enterprise = Enterprise(**fields)
        enterprise.full_clean()
        enterprise.save()
        user.enterprise = enterprise
        user.save(update_fields=["enterprise"])
        record(action="enterprise.create", actor=user, target=enterprise, ip=ip)
    return enterprise


def update_enterprise(
    *, user: User, enterprise: Enterprise, fields: dict[str, Any], ip: str | None = None
) -> Enterprise:
    """Change the enterprise's details; the journal keeps each changed field, old and new.

    Applications already submitted keep the details they were submitted with (their snapshot),
    and their pages say when the enterprise's details have changed since."""
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        changes = {
            name: [_journal_value(getattr(locked, name)), _journal_value(value)]
            for name, value in fields.items()
            if getattr(locked, name) != value
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        record(
            action="enterprise.update",
            actor=user,
            target=locked,
            data={"fields": sorted(changes), "changes": changes},
            ip=ip,
        )
    for name in fields:
        setattr(enterprise, name, getattr(locked, name))
    return locked


def _journal_value(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
