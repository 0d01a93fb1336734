"""What the assignment core's problems mean, in the admin's words, with names instead of ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.review.assignment import Problem

SHOWN = 8  # names listed per problem before "and n more"


def _names(names: Sequence[str]) -> str:
    shown = "、".join(names[:SHOWN])
    if len(names) > SHOWN:
        shown += _(" and %(n)s more") % {"n": len(names) - SHOWN}
    return shown


def describe(problems: Iterable[Problem]) -> list[str]:
    problems = list(problems)
    app_ids = {pk for p in problems for pk in p.applications}
    expert_ids = {pk for p in problems for pk in p.experts}
    apps = {
        a.pk: f"{a.recommendation_number or a.pk} {a.team.name}"
        for a in Application.objects.filter(pk__in=app_ids).select_related("team")
    }
    experts = {u.pk: u.display_name for u in User.objects.filter(pk__in=expert_ids)}

    def app_names(p: Problem) -> str:
        return _names([apps.get(pk, str(pk)) for pk in p.applications])

    def expert_names(p: Problem) -> str:
        return _names([experts.get(pk, str(pk)) for pk in p.experts])

    return [_describe_one(p, app_names(p), expert_names(p)) for p in problems]


def _describe_one(p: Problem, apps: str, experts: str) -> str:
    values = {"apps": apps, "experts": experts, "needed": p.needed, "available": p.available}
    if p.code == "no_reviewers":
        return _("The expert pool has no available expert.")
    if p.code == "k_too_large":
        return (
            _(
                "Each application needs %(needed)s experts but only %(available)s experts are "
                "available."
            )
            % values
        )
    if p.code == "unavailable_assigned":
        return (
            _(
                "These experts are marked unavailable but still have assignments: %(experts)s. "
                "Remove their assignments or make them available again."
            )
            % values
        )
    if p.code == "existing_conflict":
        return _("Existing assignments are in conflict: %(apps)s (%(experts)s).") % values
    if p.code == "existing_too_many":
        return _("These applications already have more than %(needed)s experts: %(apps)s.") % values
    if p.code == "expert_over":
        return (
            _(
                "%(experts)s already reviews %(available)s applications, more than the balanced "
                "load of at most %(needed)s."
            )
            % values
        )
    if p.code == "application_short":
        return (
            ngettext(
                "%(apps)s needs %(needed)s more expert, but only %(available)s other "
                "experts in the pool are free of conflicts with it.",
                "%(apps)s needs %(needed)s more experts, but only %(available)s other "
                "experts in the pool are free of conflicts with it.",
                p.needed,
            )
            % values
        )
    if p.code == "group_short":
        return (
            _(
                "These applications together need %(needed)s more expert places: %(apps)s. The "
                "experts free of conflicts with them (%(experts)s) can take only %(available)s "
                "with balanced loads."
            )
            % values
        )
    if p.code == "experts_underused":
        return (
            _(
                "To keep loads within one of each other, these experts must take %(needed)s more "
                "applications: %(experts)s. The applications they are free to review can take only "
                "%(available)s."
            )
            % values
        )
    return _(
        "No assignment keeps every expert's load within one of the others. Add experts to the "
        "pool or lower the number of experts per application."
    )
