from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from banzu.audit import actions
from banzu.audit.chain import GENESIS, entry_hash, entry_mac
from banzu.audit.keys import audit_key
from banzu.audit.models import AuditEntry, AuditHead, chain_content


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    action: str,
    actor: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry to the journal, inside the caller's transaction when there is one.

    The action must be registered (banzu.audit.actions), so the journal's vocabulary is closed."""
    if not actions.is_known(action):
        raise ValueError(f"Unregistered audit action: {action!r}")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_username = getattr(actor, "username", "") if actor_id is not None else ""
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        fields = {
            "seq": head.seq + 1,
            "created_at": timezone.now().astimezone(dt.UTC),
            "actor_id": actor_id,
            "actor_username": actor_username,
            "action": action,
            "target_type": target._meta.label_lower if target is not None else "",
            "target_id": target.pk if target is not None else None,
            "data": data or {},
            "ip": ip,
        }
        digest = entry_hash(chain_content(**dict(fields)), head.hash)
        entry = AuditEntry.objects.create(
            **fields,
            prev_hash=head.hash,
            hash=digest,
            mac=entry_mac(audit_key(), head.seq + 1, digest),
        )
        AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
    return entry


M = TypeVar("M", bound=models.Model)


def update_recorded(
    instance: M, *, fields: Mapping[str, Any], action: str, actor: Any, ip: str | None = None
) -> M:
    """Set the given fields, validate, save and record which fields changed, in one transaction."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(instance, name, value)
        instance.full_clean()
        instance.save()
        record(action=action, actor=actor, target=instance, data={"fields": sorted(fields)}, ip=ip)
    return instance
