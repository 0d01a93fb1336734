"""The provincial admin's writes to recommenders and accounts (creation of accounts is
banzu.accounts.services.create_user)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.accounts.services import update_user
from banzu.audit import actions
from banzu.audit.services import record, update_recorded

actions.register("account.set_password", "recommender.create", "recommender.update")

RECOMMENDER_FIELDS = (
    "name",
    "short_name",
    "kind",
    "number_prefix",
    "contact_name",
    "contact_phone",
    "is_active",
    "sort_order",
)
ACCOUNT_FIELDS = (
    "username",
    "full_name",
    "email",
    "phone",
    "role",
    "recommender",
    "enterprise",
    "is_active",
)


def _check_keys(fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"Unexpected fields: {sorted(unknown)}")


def create_recommender(
    *, by: User, fields: Mapping[str, Any], ip: str | None = None
) -> Recommender:
    _check_keys(fields, RECOMMENDER_FIELDS)
    with transaction.atomic():
        recommender = Recommender(**fields)
        recommender.full_clean()
        recommender.save()
        record(
            action="recommender.create",
            actor=by,
            target=recommender,
            data={"name": recommender.name, "number_prefix": recommender.number_prefix},
            ip=ip,
        )
    return recommender


def update_recommender(
    *, by: User, recommender: Recommender, fields: Mapping[str, Any], ip: str | None = None
) -> Recommender:
    """Change the given fields (the changed ones: the audit entry names them)."""
    _check_keys(fields, RECOMMENDER_FIELDS)
    return update_recorded(recommender, fields=fields, action="recommender.update", actor=by, ip=ip)


def own_account_errors(*, by: User, user: User, role: str, is_active: bool) -> dict[str, str]:
    """An admin cannot lock themselves out: no deactivating or demoting one's own account."""
    if by.pk != user.pk:
        return {}
    errors = {}
    if role != Role.ADMIN:
        errors["role"] = _("You cannot remove the provincial admin role from your own account.")
    if not is_active:
        errors["is_active"] = _("You cannot deactivate your own account.")
    return errors


def update_account(
    *,
    by: User,
    user: User,
    fields: Mapping[str, Any],
    new_password: str = "",
    ip: str | None = None,
) -> User:
    """Change an account's data, activity or password. Accounts are deactivated, not deleted."""
    _check_keys(fields, ACCOUNT_FIELDS)
    errors = own_account_errors(
        by=by,
        user=user,
        role=fields.get("role", user.role),
        is_active=fields.get("is_active", user.is_active),
    )
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    with transaction.atomic():
        if fields:
            update_user(by=by, user=user, fields=dict(fields), ip=ip)
        if fields.get("is_active") and user.registration_pending:
            # The admin activated a registration whose mailed link was never opened: settled, so
            # the link can no longer act on the account (banzu.accounts.registration).
            user.registration_pending = False
            user.save(update_fields=["registration_pending"])
        if new_password:
            user.set_password(new_password)
            user.save(update_fields=["password"])
            record(action="account.set_password", actor=by, target=user, ip=ip)
    return user
