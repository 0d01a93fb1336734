"""The accounts list as an Excel workbook (the provincial admin's export of the filtered list)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.documents import xlsx
from banzu.documents.model import Document, Para, Table, label, value


def accounts_workbook(users: Iterable[User]) -> bytes:
    header = (
        label(_("Username")),
        label(_("Full name")),
        label(_("Role")),
        label(_("Recommender or enterprise")),
        label(_("E-mail")),
        label(_("Phone")),
        label(_("Active")),
        label(_("Last log-in")),
    )
    rows = [header]
    for user in users:
        organisation = user.recommender or user.enterprise
        last_login = (
            timezone.localtime(user.last_login).strftime("%Y-%m-%d %H:%M")
            if user.last_login
            else ""
        )
        rows.append(
            (
                value(user.username),
                value(user.full_name),
                value(user.get_role_display()),
                value(organisation.name if organisation else ""),
                value(user.email),
                value(user.phone),
                value(_("Yes") if user.is_active else _("No")),
                value(last_login),
            )
        )
    title = _("Accounts")
    document = Document(
        title=title,
        sheet_name=title,
        blocks=(
            Para(title, "title", "center"),
            Table(widths=(16, 10, 12, 30, 26, 14, 6, 16), rows=tuple(rows), header_rows=1),
        ),
    )
    return xlsx.render(document)
