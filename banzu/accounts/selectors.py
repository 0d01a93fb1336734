"""Reads of accounts for the provincial admin's pages."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from banzu.accounts.models import Recommender, User


def filtered_accounts(
    *, role: str = "", recommender: Recommender | None = None, query: str = ""
) -> QuerySet[User]:
    """Accounts by role, by recommender (its staff) and by a search over the user name, full
    name, e-mail address, phone and the enterprise's name; by user name."""
    users = User.objects.select_related("recommender", "enterprise").order_by("username")
    if role:
        users = users.filter(role=role)
    if recommender is not None:
        users = users.filter(recommender=recommender)
    if query := query.strip():
        users = users.filter(
            Q(username__icontains=query)
            | Q(full_name__icontains=query)
            | Q(email__icontains=query)
            | Q(phone__icontains=query)
            | Q(enterprise__name__icontains=query)
        )
    return users
