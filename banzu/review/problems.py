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


# Problems of these codes come one per application and are told as one line per group.
GROUPED = ("existing_too_many", "too_few_free")


def describe(problems: Iterable[Problem]) -> list[str]:
    """One line per problem, saying what stops the assignment and what the admin can do; the
    per-application problems are told together (by code, and by the count of free experts)."""
    problems = list(problems)
    app_ids = {pk for p in problems for pk in p.applications}
    expert_ids = {pk for p in problems for pk in p.experts}
    found = {
        a.pk: a
        for a in Application.objects.filter(pk__in=app_ids).select_related("team", "recommender")
    }
    apps = {pk: f"{a.recommendation_number or a.pk} {a.team.name}" for pk, a in found.items()}
    experts = {u.pk: u.display_name for u in User.objects.filter(pk__in=expert_ids)}

    def app_names(ids: Sequence[int]) -> str:
        return _names([apps.get(pk, str(pk)) for pk in ids])

    def expert_names(p: Problem) -> str:
        return _names([experts.get(pk, str(pk)) for pk in p.experts])

    lines = []
    groups: dict[tuple[str, int, int], list[int]] = {}
    for p in problems:
        if p.code in GROUPED:
            groups.setdefault((p.code, p.needed, p.available), []).extend(p.applications)
        else:
            lines.append(_describe_one(p, app_names(p.applications), expert_names(p)))
    for (code, needed, available), ids in groups.items():
        recommenders = sorted(
            {found[pk].recommender.name for pk in ids if pk in found}, key=lambda name: name
        )
        lines.append(_describe_group(code, ids, app_names(ids), needed, available, recommenders))
    return lines


def _describe_group(
    code: str, ids: Sequence[int], apps: str, needed: int, available: int, recommenders: list[str]
) -> str:
    values = {
        "count": len(ids),
        "apps": apps,
        "needed": needed,
        "available": available,
        "recommenders": "、".join(recommenders),
    }
    if code == "existing_too_many":
        return (
            ngettext(
                "%(count)s application already has more than %(needed)s experts: %(apps)s. It "
                "was left as it is; remove an expert from it by hand if it should have "
                "%(needed)s.",
                "%(count)s applications already have more than %(needed)s experts: %(apps)s. "
                "They were left as they are; remove an expert from them by hand if they should "
                "have %(needed)s.",
                len(ids),
            )
            % values
        )
    return (
        ngettext(
            "Only %(available)s expert of the pool is free of conflicts with these "
            "applications, which need %(needed)s each: %(apps)s. Add experts to the pool who "
            "neither belong to %(recommenders)s nor work for these enterprises, or lower the "
            "number of experts per application.",
            "Only %(available)s experts of the pool are free of conflicts with these "
            "applications, which need %(needed)s each: %(apps)s. Add experts to the pool who "
            "neither belong to %(recommenders)s nor work for these enterprises, or lower the "
            "number of experts per application.",
            available,
        )
        % values
    )


def _describe_one(p: Problem, apps: str, experts: str) -> str:
    values = {"apps": apps, "experts": experts, "needed": p.needed, "available": p.available}
    if p.code == "no_reviewers":
        return _("The expert pool has no available expert: add experts or make them available.")
    if p.code == "k_too_large":
        return (
            _(
                "Each application needs %(needed)s experts but only %(available)s experts are "
                "available: add experts to the pool or lower the number of experts per "
                "application."
            )
            % values
        )
    if p.code == "unavailable_assigned":
        return (
            _(
                "These experts are marked unavailable but still have assignments, which were "
                "kept: %(experts)s. Remove their assignments by hand if they should not review, "
                "or make them available again."
            )
            % values
        )
    if p.code == "existing_conflict":
        return (
            _(
                "An assignment already made is in conflict: %(apps)s (%(experts)s). It was left "
                "as it is; remove it by hand."
            )
            % values
        )
    # uneven_loads, the only other problem banzu.review.assignment.assign_what_can reports
    return (
        _(
            "%(experts)s now review up to %(available)s applications, more than the even "
            "load of %(needed)s: too few other experts are free of conflicts with their "
            "applications, or assignments made by hand load them. Add experts to the pool "
            "or move assignments by hand to even the loads."
        )
        % values
    )
