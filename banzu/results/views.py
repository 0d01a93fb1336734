"""The provincial admin's results pages (/results/): the settings and award tiers, the preview
with its stability marks and the seal, the sealed versions, one version's rows and the
difference between two. Admin only: to anyone else these pages do not exist (404, journalled);
anonymous visitors log in first."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from banzu.accounts.http import AuthenticatedHttpRequest
from banzu.accounts.models import User
from banzu.audit.services import client_ip
from banzu.core.access import deny, require_admin
from banzu.core.errors import ServiceError
from banzu.core.params import int_param
from banzu.editions.resolver import edition_or_404
from banzu.results import versions
from banzu.results.enums import ApartReason
from banzu.results.forms import SealForm, SettingsPage
from banzu.results.gather import MATERIALS
from banzu.results.models import ResultsVersion
from banzu.results.permissions import get_version_for_user_or_404

# --- The list as shown, from a payload (a preview's or a sealed version's) ---------------------


@dataclass
class ShownRow:
    rank: int
    team: str
    number: str
    enterprise: str
    recommender: str
    materials_score: str
    materials_share: str
    presentation: str
    total: str
    tier: str | None
    room: str
    room_award: bool
    near: bool  # near a tier boundary: it carries a stability mark
    changes: list[str]  # the single sheets whose omission changes its tier, in words


@dataclass
class ShownApart:
    team: str
    number: str
    enterprise: str
    reason: str
    detail: str
    tier: str | None
    materials_score: str | None


@dataclass
class Group:
    tier: str | None  # None: ranked without an award
    rows: list[ShownRow] = field(default_factory=list)


@dataclass
class Table:
    groups: list[Group]
    apart: list[ShownApart]
    counts: list[tuple[str, int]]
    room_awards: list[tuple[str, list[str]]]  # room name, its awarded teams
    room_award_name: str
    ranked: int


def _scorers(payload: Mapping[str, Any]) -> dict[tuple[str, int], str]:
    """Each recorded sheet's expert by name, as (side, sheet pk) → name."""
    sheets = [
        (side, sheet) for side, found in (payload.get("sheets") or {}).items() for sheet in found
    ]
    people = User.objects.in_bulk({sheet["scorer"] for _side, sheet in sheets})
    return {
        (side, sheet["id"]): people[sheet["scorer"]].display_name
        if sheet["scorer"] in people
        else str(sheet["scorer"])
        for side, sheet in sheets
    }


def _change(scorers: Mapping[tuple[str, int], str], change: list[Any]) -> str:
    side, pk, tier = change
    names = {
        "expert": scorers.get((side, pk), str(pk)),
        "sheet": _("materials sheet") if side == MATERIALS else _("presentation sheet"),
        "tier": tier,
    }
    if tier is None:
        return _("Leaving out %(expert)s's %(sheet)s moves it out of the award tiers.") % names
    return _("Leaving out %(expert)s's %(sheet)s moves it to %(tier)s.") % names


def table(payload: Mapping[str, Any]) -> Table:
    """The list as shown. An older or hand-made payload may lack a part (its tiers, rows, teams
    listed apart, applications, rooms, sheets or settings): it shows none of it."""
    applications = payload.get("applications") or {}
    rooms = payload.get("rooms") or {}
    settings = payload.get("settings") or {}
    scorers = _scorers(payload)

    def about(pk: int) -> dict[str, str]:
        found = applications.get(str(pk), {})
        return {
            "team": found.get("team", str(pk)),
            "number": found.get("number") or "",
            "enterprise": found.get("enterprise", ""),
            "recommender": found.get("recommender", ""),
        }

    groups: list[Group] = [Group(tier["name"]) for tier in payload.get("tiers") or []]
    unawarded = Group(None)
    by_name = {group.tier: group for group in groups}
    awards: dict[str, list[str]] = {}
    for row in payload.get("rows") or []:
        shown = ShownRow(
            rank=row["rank"],
            **about(row["application"]),
            materials_score=row["materials_score"],
            materials_share=row["materials_share"],
            presentation=row["presentation"],
            total=row["total"],
            tier=row["tier"],
            room=rooms.get(str(row["room"]), ""),
            room_award=row["room_award"],
            near=row["stability"] is not None,
            changes=[_change(scorers, change) for change in row["stability"] or []],
        )
        by_name.get(row["tier"], unawarded).rows.append(shown)
        if row["room_award"]:
            awards.setdefault(shown.room, []).append(shown.team)
    apart = []
    for row in payload.get("apart") or []:
        found = about(row["application"])
        apart.append(
            ShownApart(
                team=found["team"],
                number=found["number"],
                enterprise=found["enterprise"],
                reason=str(ApartReason(row["reason"]).label),
                detail=row["detail"],
                tier=row["tier"],
                materials_score=row["materials_score"],
            )
        )
    counts = [(group.tier or "", len(group.rows)) for group in groups]
    non_presenter = settings.get("non_presenter_tier")
    if non_presenter:
        counts.append((non_presenter, sum(1 for row in apart if row.tier == non_presenter)))
    if unawarded.rows:
        groups.append(unawarded)
    return Table(
        groups=groups,
        apart=apart,
        counts=counts,
        room_awards=sorted(awards.items()),
        room_award_name=settings.get("room_award", ""),
        ranked=len(payload.get("rows") or []),
    )


# --- The pages ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_admin(request, "results settings")
    edition = edition_or_404(request)
    page = SettingsPage(
        request.POST if request.method == "POST" else None,
        settings=versions.settings_for(edition),
    )
    if (
        request.method == "POST"
        and page.is_valid()
        and page.save(by=request.user, ip=client_ip(request)) is not None
    ):
        messages.success(request, _("The results settings are saved."))
        return redirect(request.get_full_path())
    return render(
        request,
        "results/settings.html",
        {"edition": edition, "form": page.form, "tiers": page.tiers, "tab": "settings"},
    )


def _latest(edition: Any) -> ResultsVersion | None:
    return (
        ResultsVersion.objects.filter(edition=edition)
        .select_related("created_by")
        .order_by("-number")
        .first()
    )


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    require_admin(request, "results preview")
    edition = edition_or_404(request)
    context: dict[str, Any] = {"edition": edition, "tab": "preview", "latest": _latest(edition)}
    try:
        found = versions.preview(edition)
    except ServiceError as error:
        context |= {"blocked": error.message, "problems": list(error.problems)}
    else:
        context |= {
            "table": table(found.payload),
            "sha256": found.sha256,
            "form": SealForm(),
            "unchanged": context["latest"] is not None and context["latest"].sha256 == found.sha256,
        }
    return render(request, "results/preview.html", context)


@login_required
@require_POST
def seal(request: AuthenticatedHttpRequest) -> HttpResponse:
    require_admin(request, "results seal")
    edition = edition_or_404(request)
    form = SealForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("results:preview")
    try:
        version = versions.seal(
            edition, by=request.user, reason=form.cleaned_data["reason"], ip=client_ip(request)
        )
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("results:preview")
    messages.success(
        request,
        # The SHA-256 is on the version's page: in the message it would not wrap on a phone.
        _("Version %(number)s of the results is sealed.") % {"number": version.number},
    )
    return redirect("results:version", number=version.number)


@login_required
@require_GET
def version_list(request: HttpRequest) -> HttpResponse:
    require_admin(request, "results versions")
    edition = edition_or_404(request)
    found = list(
        ResultsVersion.objects.filter(edition=edition)
        .select_related("created_by", "sealed_by")
        .order_by("-number")
    )
    return render(
        request,
        "results/versions.html",
        {"edition": edition, "versions": found, "tab": "versions"},
    )


@login_required
@require_GET
def version(request: HttpRequest, number: int) -> HttpResponse:
    edition = edition_or_404(request)
    found = get_version_for_user_or_404(request, edition, number)
    return render(
        request,
        "results/version.html",
        {"edition": edition, "version": found, "table": table(found.payload), "tab": "versions"},
    )


def _number(raw: str | None) -> int | None:
    return int_param(raw, minimum=0)


@login_required
@require_GET
def version_diff(request: HttpRequest) -> HttpResponse:
    require_admin(request, "results difference")
    edition = edition_or_404(request)
    numbers = list(
        ResultsVersion.objects.filter(edition=edition)
        .order_by("number")
        .values_list("number", flat=True)
    )
    first, second = _number(request.GET.get("a")), _number(request.GET.get("b"))
    context: dict[str, Any] = {
        "edition": edition,
        "numbers": numbers,
        "a": first,
        "b": second,
        "tab": "versions",
    }
    if first is not None and second is not None:
        if first not in numbers or second not in numbers:
            raise deny(request, "results version", first if first not in numbers else second)
        older = get_version_for_user_or_404(request, edition, first)
        newer = get_version_for_user_or_404(request, edition, second)
        found = versions.diff(older, newer)
        labels = dict(ApartReason.choices)
        context |= {
            "older": older,
            "newer": newer,
            "diff": found,
            "left": [
                (move, labels.get(move.after, "") if move.after else "") for move in found.left
            ],
        }
    return render(request, "results/diff.html", context)
