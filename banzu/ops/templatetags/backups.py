"""`{% load backups %}{% last_backup_line %}`: one line for the admin's pages saying when the
last backup was made (or that the last attempt failed). Shown to provincial admins only; a page
of any stage may load it (a template tag, so no stage imports banzu.ops)."""

from __future__ import annotations

from typing import Any

from django import template

from banzu.core.access import is_admin
from banzu.ops.selectors import failure_since_last_backup, last_backup

register = template.Library()


@register.inclusion_tag("ops/_last_backup.html", takes_context=True)
def last_backup_line(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not is_admin(user):
        return {"show": False}
    return {"show": True, "backup": last_backup(), "failure": failure_since_last_backup()}
