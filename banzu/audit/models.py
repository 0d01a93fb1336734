from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit journal is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit journal is append-only.")


class AuditEntry(models.Model):
    """Who did what, when (UTC) and from where. Written only by banzu.audit.services.record."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.BigIntegerField(null=True)
    data = models.JSONField(default=dict)
    ip = models.GenericIPAddressField(null=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC of seq and hash under settings.AUDIT_KEY (banzu.audit.chain.entry_mac).
    mac = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit journal")
        indexes = [models.Index(fields=["target_type", "target_id", "seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit journal is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit journal is append-only.")

    def chain_content(self) -> dict[str, Any]:
        return chain_content(
            seq=self.seq,
            created_at=self.created_at,
            actor_id=self.actor_id,
            actor_username=self.actor_username,
            action=self.action,
            target_type=self.target_type,
            target_id=self.target_id,
            data=self.data,
            ip=self.ip,
        )


def chain_content(**fields: Any) -> dict[str, Any]:
    fields["created_at"] = fields["created_at"].isoformat()
    return fields


class AuditHead(models.Model):
    """A single row holding the chain's tip; locking it serialises writers on PostgreSQL."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
