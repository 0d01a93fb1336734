"""Computing, sealing, comparing and verifying the edition's results.

`preview` computes the list from the sheets as they stand (banzu.results.gather) with the pure
core (banzu.results.core); `seal` stores it as a numbered version whose payload holds every
counted sheet (totals and item points), the rules and settings used and every row, with a
SHA-256 over the payload's canonical JSON, and journals it. `verify` recomputes a version from
the sheets it recorded and checks those sheets against the database; `diff` compares two.

Every figure in a payload is a string ("85.80"), so the JSON never holds a float.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.errors import ServiceError
from banzu.editions.models import AwardTier, Edition
from banzu.presentations.enums import SheetState as PresentationSheetState
from banzu.presentations.models import PresentationSheet
from banzu.results import core
from banzu.results.enums import ApartReason, VersionState
from banzu.results.gather import (
    MATERIALS,
    PRESENTATION,
    CountedSheet,
    Inputs,
    gather,
    presentation_items,
)
from banzu.results.models import ResultsSettings, ResultsVersion
from banzu.scoring import core as scoring
from banzu.scoring.enums import SheetState as MaterialsSheetState
from banzu.scoring.models import ScoreSheet

actions.register("results.sealed")

FORMAT = 1
NEAR = 2  # teams within this many places of a tier boundary get a stability mark


def settings_for(edition: Edition) -> ResultsSettings:
    """The edition's results settings, created on first use."""
    found, _created = ResultsSettings.objects.get_or_create(edition=edition)
    return found


def canonical(payload: Mapping[str, Any]) -> bytes:
    """The payload as hashed: JSON with sorted keys, no whitespace, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


# --- The computation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """A ranked team."""

    application_id: int
    total: core.Total
    rank: int
    tier: str | None
    room: int
    room_award: bool
    # None: not near a tier boundary; else the single sheets whose omission changes its tier,
    # as (side, sheet pk, the tier it would get)
    changes: tuple[tuple[str, int, str | None], ...] | None

    @property
    def stable(self) -> bool | None:
        return None if self.changes is None else not self.changes


@dataclass(frozen=True)
class ApartRow:
    application_id: int
    reason: str  # ApartReason
    detail: str
    tier: str | None  # the non-presenters' award, for teams that did not present
    materials_score: Decimal | None  # out of 100, for teams that did not present


@dataclass(frozen=True)
class Computed:
    rows: list[Row]
    apart: list[ApartRow]


def _tiers(payload_tiers: Sequence[Mapping[str, Any]]) -> list[core.Tier]:
    return [
        core.Tier(
            name=tier["name"],
            quota=tier["quota"],
            min_score=None if tier["min_score"] is None else Decimal(tier["min_score"]),
            share_percent=None if tier["share_percent"] is None else Decimal(tier["share_percent"]),
        )
        for tier in payload_tiers
    ]


def _rules(rules: Mapping[str, Any]) -> core.Rules:
    return core.Rules(
        materials_weight=rules["materials_weight"],
        presentation_weight=rules["presentation_weight"],
        aggregation_rule=rules["aggregation_rule"],
        trim_min=rules["trim_min"],
        tie_rule=core.TieRule(rules["tie_rule"]),
    )


def compute(
    *,
    entries: Sequence[core.Entry],
    apart: Sequence[tuple[int, str, str, Mapping[int, Decimal]]],
    rules: Mapping[str, Any],
    tiers: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any],
) -> Computed:
    """The rows from plain inputs: what `preview` shows and `verify` recomputes. `apart` holds
    (application pk, reason, detail, its materials sheets' totals) for each team listed apart."""
    found_rules = _rules(rules)
    found_tiers = _tiers(tiers)
    mode = core.TierMode(rules["tier_mode"])
    totals = core.totals(entries, found_rules)
    ranked = core.rank(totals, found_rules.tie_rule)
    tier_of = core.assign_tiers(ranked, found_tiers, mode)
    rooms = {entry.id: entry.room for entry in entries if entry.room is not None}
    awarded = (
        {pk for ids in core.room_awards(totals, rooms).values() for pk in ids}
        if settings["room_award"]
        else set()
    )
    marks = {
        found.id: found
        for found in core.stability(
            entries, found_rules, found_tiers, mode, near=rules["stability_near"]
        )
    }

    def name(index: int | None) -> str | None:
        return None if index is None else found_tiers[index].name

    rows = [
        Row(
            application_id=entry.id,
            total=entry.total,
            rank=entry.rank,
            tier=name(tier_of[entry.id]),
            room=rooms[entry.id],
            room_award=entry.id in awarded,
            changes=None
            if entry.id not in marks
            else tuple((side, pk, name(tier)) for side, pk, tier in marks[entry.id].changes),
        )
        for entry in ranked
    ]
    apart_rows = []
    for pk, reason, detail, materials in apart:
        presenter = reason == ApartReason.NOT_PRESENTED
        aggregate = scoring.aggregate_sheets(
            dict(materials), rule=found_rules.aggregation_rule, trim_min=found_rules.trim_min
        )
        apart_rows.append(
            ApartRow(
                application_id=pk,
                reason=reason,
                detail=detail,
                tier=(settings["non_presenter_tier"] or None) if presenter else None,
                materials_score=aggregate.score if presenter else None,
            )
        )
    return Computed(rows=rows, apart=apart_rows)


# --- Preview and seal --------------------------------------------------------------------------


@dataclass
class Preview:
    edition: Edition
    settings: ResultsSettings
    inputs: Inputs
    payload: dict[str, Any]
    computed: Computed

    @property
    def rows(self) -> list[Row]:
        return self.computed.rows

    @property
    def apart(self) -> list[ApartRow]:
        return self.computed.apart

    @property
    def sha256(self) -> str:
        return digest(self.payload)

    def counts(self) -> dict[str, int]:
        """Teams per tier, in the tiers' order, then the non-presenters' award."""
        found = {tier["name"]: 0 for tier in self.payload["tiers"]}
        for row in self.rows:
            if row.tier is not None:
                found[row.tier] += 1
        for apart in self.apart:
            if apart.tier is not None:
                found[apart.tier] = found.get(apart.tier, 0) + 1
        return found


def _blocking_message(inputs: Inputs) -> str:
    def names(reason: ApartReason) -> str:
        return "、".join(a.application.team.name for a in inputs.blocking if a.reason == reason)

    parts = []
    if waiting := names(ApartReason.NO_PRESENTATION_SCORE):
        parts.append(
            _("Every presenting team needs a presentation score: %(teams)s.") % {"teams": waiting}
        )
    if unfinished := names(ApartReason.REVIEW_UNFINISHED):
        parts.append(
            _("Every team needs its materials score first: %(teams)s.") % {"teams": unfinished}
        )
    return " ".join(parts)


TIER_FIELDS = {
    core.TierMode.QUOTA: "quota",
    core.TierMode.THRESHOLD: "min_score",
    core.TierMode.SHARE: "share_percent",
}


def _check_tiers(payload: Mapping[str, Any]) -> None:
    field = TIER_FIELDS[core.TierMode(payload["rules"]["tier_mode"])]
    unset = [tier["name"] for tier in payload["tiers"] if tier[field] is None]
    if unset:
        label = {
            "quota": _("number of awards"),
            "min_score": _("minimum total score"),
            "share_percent": _("share of the ranked teams (%)"),
        }[field]
        raise ServiceError(
            _("Set the %(field)s of every award tier first: %(tiers)s.")
            % {"field": label, "tiers": "、".join(unset)},
            code="tiers",
        )


def _application_record(application: Any) -> dict[str, Any]:
    return {
        "id": application.pk,
        "team": application.team.name,
        "enterprise": application.team.enterprise.name,
        "recommender": application.recommender.name,
        "number": application.recommendation_number,
        "experience": application.experience_title,
    }


def _payload_inputs(edition: Edition, settings: ResultsSettings, inputs: Inputs) -> dict[str, Any]:
    tiers = [
        {
            "name": tier.name,
            "quota": tier.quota,
            "min_score": None if tier.min_score is None else str(tier.min_score),
            "share_percent": None if tier.share_percent is None else str(tier.share_percent),
        }
        for tier in AwardTier.objects.filter(edition=edition).order_by("position")
    ]
    sheets = inputs.sheets()
    return {
        "format": FORMAT,
        "edition": {"id": edition.pk, "year": edition.year, "title": edition.title},
        "rules": {
            "materials_weight": edition.materials_weight,
            "presentation_weight": edition.presentation_weight,
            "aggregation_rule": edition.aggregation_rule,
            "trim_min": edition.trim_min_experts,
            "tie_rule": settings.tie_rule,
            "tier_mode": edition.award_mode,
            "stability_near": NEAR,
        },
        "tiers": tiers,
        "settings": {
            "non_presenter_tier": settings.non_presenter_tier,
            "room_award": settings.room_award,
            "notice_ranked": settings.notice_ranked,
            "show_scores_in_publicity": settings.show_scores_in_publicity,
            "show_comments_to_applicants": settings.show_comments_to_applicants,
            "publicity_working_days": settings.publicity_working_days,
        },
        "sheets": {
            MATERIALS: [sheet.record() for sheet in sheets if sheet.kind == MATERIALS],
            PRESENTATION: [sheet.record() for sheet in sheets if sheet.kind == PRESENTATION],
        },
        "rooms": {
            str(room.pk): room.name
            for room in sorted(set(inputs.rooms.values()), key=lambda room: room.pk)
        },
        "applications": {
            str(pk): _application_record(application)
            for pk, application in sorted(inputs.applications.items())
        },
    }


def _row_record(row: Row) -> dict[str, Any]:
    total = row.total
    return {
        "application": row.application_id,
        "rank": row.rank,
        "tier": row.tier,
        "room": row.room,
        "room_award": row.room_award,
        "materials_score": str(total.materials_score),
        "materials_share": str(total.materials_share),
        "presentation": str(total.presentation),
        "total": str(total.total),
        "materials_dropped": list(total.materials_dropped),
        "presentation_dropped": list(total.presentation_dropped),
        "stability": None if row.changes is None else [list(change) for change in row.changes],
    }


def _apart_record(row: ApartRow) -> dict[str, Any]:
    return {
        "application": row.application_id,
        "reason": row.reason,
        "detail": row.detail,
        "tier": row.tier,
        "materials_score": None if row.materials_score is None else str(row.materials_score),
    }


def _entries_and_apart(
    payload: Mapping[str, Any],
) -> tuple[list[core.Entry], list[tuple[int, str, str, dict[int, Decimal]]]]:
    """The core's inputs from a payload's sheets and lists: how a version is recomputed."""
    by_side: dict[str, dict[int, dict[int, Decimal]]] = {MATERIALS: {}, PRESENTATION: {}}
    for side, sheets in payload["sheets"].items():
        for sheet in sheets:
            by_side[side].setdefault(sheet["application"], {})[sheet["id"]] = Decimal(
                sheet["total"]
            )
    entries = [
        core.Entry(
            id=row["application"],
            materials=by_side[MATERIALS].get(row["application"], {}),
            presentation=by_side[PRESENTATION].get(row["application"], {}),
            room=row["room"],
        )
        for row in sorted(payload["rows"], key=lambda row: row["application"])
    ]
    apart = [
        (
            row["application"],
            row["reason"],
            row["detail"],
            by_side[MATERIALS].get(row["application"], {}),
        )
        for row in payload["apart"]
    ]
    return entries, apart


def preview(edition: Edition) -> Preview:
    """The edition's results computed from the sheets as they stand, nothing stored. Refused
    while a presenting team has no presentation score (or is still under review)."""
    settings = settings_for(edition)
    inputs = gather(edition)
    if inputs.blocking:
        raise ServiceError(
            _blocking_message(inputs),
            code="incomplete",
            problems=[apart.application.team.name for apart in inputs.blocking],
        )
    payload = _payload_inputs(edition, settings, inputs)
    _check_tiers(payload)
    entries = [
        core.Entry(
            id=pk,
            materials={sheet.pk: sheet.total for sheet in inputs.materials.get(pk, [])},
            presentation={sheet.pk: sheet.total for sheet in inputs.presentation.get(pk, [])},
            room=inputs.rooms[pk].pk,
        )
        for pk in inputs.presenters
    ]
    apart = [
        (
            found.application.pk,
            str(found.reason),
            found.detail,
            {sheet.pk: sheet.total for sheet in inputs.materials.get(found.application.pk, [])},
        )
        for found in inputs.apart
    ]
    computed = compute(
        entries=entries,
        apart=apart,
        rules=payload["rules"],
        tiers=payload["tiers"],
        settings=payload["settings"],
    )
    payload["rows"] = [_row_record(row) for row in computed.rows]
    payload["apart"] = [_apart_record(row) for row in computed.apart]
    return Preview(
        edition=edition, settings=settings, inputs=inputs, payload=payload, computed=computed
    )


def seal(edition: Edition, *, by: User, reason: str = "", ip: str | None = None) -> ResultsVersion:
    """Store the edition's results as they compute now as its next version, sealed. A second
    or later version needs the reason for it (an upheld objection, a reopened sheet)."""
    with transaction.atomic():
        # The edition as it stands (weights, aggregation, award mode), locked while sealing.
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        last = ResultsVersion.objects.filter(edition=edition).order_by("-number").first()
        if last is not None and not reason.strip():
            raise ServiceError(
                _("Give the reason for a new version of the results."), code="reason"
            )
        found = preview(edition)
        now = timezone.now()
        number = (
            ResultsVersion.objects.filter(edition=edition).aggregate(top=Max("number"))["top"] or 0
        ) + 1
        version = ResultsVersion(
            edition=edition,
            number=number,
            state=VersionState.SEALED,
            payload=found.payload,
            sha256=found.sha256,
            created_by=by,
            sealed_at=now,
            sealed_by=by,
            reason=reason.strip(),
            previous=last,
        )
        version.full_clean()
        version.save()
        record(
            action="results.sealed",
            actor=by,
            target=version,
            data={
                "edition": edition.year,
                "number": number,
                "sha256": version.sha256,
                "reason": version.reason,
                "previous": None if last is None else last.number,
            },
            ip=ip,
        )
    return version


# --- Comparing two versions --------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    application_id: int
    team: str
    before: Any  # rank or tier in the earlier version
    after: Any


@dataclass(frozen=True)
class Diff:
    moved: list[Move]  # rank changed
    retiered: list[Move]  # tier changed
    left: list[Move]  # ranked before, not now (after: the reason it is listed apart, or None)
    entered: list[Move]  # ranked now, not before

    @property
    def empty(self) -> bool:
        return not (self.moved or self.retiered or self.left or self.entered)


def _team(payload: Mapping[str, Any], pk: int) -> str:
    application = (payload.get("applications") or {}).get(str(pk))
    return application.get("team", str(pk)) if application else str(pk)


def _rows_by_application(payload: Mapping[str, Any], part: str) -> dict[int, Mapping[str, Any]]:
    """A payload's rows of `part` ("rows" or "apart") by application pk. An older or hand-made
    version may lack the part, or a row its application: those count as none."""
    return {
        row["application"]: row
        for row in payload.get(part) or []
        if isinstance(row, Mapping) and row.get("application") is not None
    }


def diff(a: ResultsVersion, b: ResultsVersion) -> Diff:
    """What changed from version `a` to version `b`: who moved rank, who changed tier, who left
    the ranked list (and why) and who entered it. A version whose payload lacks its rows, the
    teams listed apart or the applications has none of them."""
    before = _rows_by_application(a.payload, "rows")
    after = _rows_by_application(b.payload, "rows")
    apart_after = _rows_by_application(b.payload, "apart")

    def order(pk: int) -> tuple[bool, int, int]:
        rank = (after.get(pk) or before[pk]).get("rank")
        return (rank is None, rank if isinstance(rank, int) else 0, pk)

    moved, retiered, left, entered = [], [], [], []
    for pk in sorted(set(before) | set(after), key=order):
        old, new = before.get(pk), after.get(pk)
        team = _team(b.payload, pk) if new is not None else _team(a.payload, pk)
        if old is not None and new is not None:
            if old.get("rank") != new.get("rank"):
                moved.append(Move(pk, team, old.get("rank"), new.get("rank")))
            if old.get("tier") != new.get("tier"):
                retiered.append(Move(pk, team, old.get("tier"), new.get("tier")))
        elif old is not None:
            reason = apart_after.get(pk)
            left.append(Move(pk, team, old.get("rank"), reason.get("reason") if reason else None))
        elif new is not None:
            entered.append(Move(pk, team, None, new.get("rank")))
    return Diff(moved=moved, retiered=retiered, left=left, entered=entered)


# --- Verifying a version -----------------------------------------------------------------------


def verify(version: ResultsVersion) -> str | None:
    """Recompute every figure of the version from the sheets it recorded, and check those sheets
    against the database. The first difference found, in words, or None when all agree."""
    payload = version.payload
    if digest(payload) != version.sha256:
        return _("the payload's SHA-256 is %(found)s, %(recorded)s recorded") % {
            "found": digest(payload),
            "recorded": version.sha256,
        }
    entries, apart = _entries_and_apart(payload)
    computed = compute(
        entries=entries,
        apart=apart,
        rules=payload["rules"],
        tiers=payload["tiers"],
        settings=payload["settings"],
    )
    found = _first_difference(
        payload,
        "rows",
        payload["rows"],
        [_row_record(row) for row in computed.rows],
    )
    if found is None:
        found = _first_difference(
            payload, "apart", payload["apart"], [_apart_record(row) for row in computed.apart]
        )
    return found or _sheets_difference(payload)


def _first_difference(
    payload: Mapping[str, Any],
    part: str,
    recorded: Sequence[Mapping[str, Any]],
    recomputed: Sequence[Mapping[str, Any]],
) -> str | None:
    """The first figure of `part` ("rows" or "apart") that recomputes differently, in words."""
    ranked = part == "rows"
    for position, (old, new) in enumerate(zip(recorded, recomputed, strict=False), start=1):
        for key in sorted(set(old) | set(new)):
            if old.get(key) != new.get(key):
                message = (
                    _(
                        "ranked row %(position)s (%(team)s): %(field)s recomputes to %(found)s, "
                        "%(recorded)s recorded"
                    )
                    if ranked
                    else _(
                        "row %(position)s listed apart (%(team)s): %(field)s recomputes to "
                        "%(found)s, %(recorded)s recorded"
                    )
                )
                return message % {
                    "position": position,
                    "team": _team(payload, old["application"]),
                    "field": key,
                    "found": json.dumps(new.get(key), ensure_ascii=False),
                    "recorded": json.dumps(old.get(key), ensure_ascii=False),
                }
    if len(recorded) != len(recomputed):
        message = (
            _("ranked rows: %(found)s recomputed, %(recorded)s recorded")
            if ranked
            else _("rows listed apart: %(found)s recomputed, %(recorded)s recorded")
        )
        return message % {"found": len(recomputed), "recorded": len(recorded)}
    return None


def _stored_sheets(payload: Mapping[str, Any]) -> dict[tuple[str, int], CountedSheet]:
    """The recorded sheets as the database holds them now, in two queries."""
    found: dict[tuple[str, int], CountedSheet] = {}
    materials = [sheet["id"] for sheet in payload["sheets"][MATERIALS]]
    for sheet in ScoreSheet.objects.filter(
        pk__in=materials, state=MaterialsSheetState.SUBMITTED
    ).prefetch_related("items"):
        found[(MATERIALS, sheet.pk)] = CountedSheet(
            kind=MATERIALS,
            pk=sheet.pk,
            application_id=sheet.application_id,
            scorer_id=sheet.scorer_id,
            total=sheet.total,
            items=tuple(sorted((item.rubric_item_id, item.points) for item in sheet.items.all())),
            version=sheet.version,
        )
    presentation = [sheet["id"] for sheet in payload["sheets"][PRESENTATION]]
    for paper in PresentationSheet.objects.filter(
        pk__in=presentation, state=PresentationSheetState.SUBMITTED
    ).select_related("slot"):
        found[(PRESENTATION, paper.pk)] = CountedSheet(
            kind=PRESENTATION,
            pk=paper.pk,
            application_id=paper.slot.application_id,
            scorer_id=paper.expert_id,
            total=paper.total,
            items=presentation_items(paper),
            version=paper.version,
        )
    return found


def _sheet_label(side: str) -> str:
    """A recorded sheet in words, with %(id)s and %(team)s to fill in."""
    if side == MATERIALS:
        return _("materials sheet %(id)s (%(team)s)")
    return _("presentation sheet %(id)s (%(team)s)")


def _sheets_difference(payload: Mapping[str, Any]) -> str | None:
    stored = _stored_sheets(payload)
    for side in (MATERIALS, PRESENTATION):
        for recorded in payload["sheets"][side]:
            label = _sheet_label(side) % {
                "id": recorded["id"],
                "team": _team(payload, recorded["application"]),
            }
            now = stored.get((side, recorded["id"]))
            if now is None:
                return _("%(sheet)s is no longer a submitted sheet") % {"sheet": label}
            for key, value in now.record().items():
                if value != recorded[key]:
                    return _("%(sheet)s: %(field)s is %(found)s, %(recorded)s recorded") % {
                        "sheet": label,
                        "field": key,
                        "found": json.dumps(value, ensure_ascii=False),
                        "recorded": json.dumps(recorded[key], ensure_ascii=False),
                    }
    return None
