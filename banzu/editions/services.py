"""Writes to editions: create one (optionally copying a rubric and a presentation sheet),
reconfigure one.

The configuration rules (weights, timeline, rubric and presentation sheet totals, award tiers)
are plain functions here:
the forms show them as field messages, and the services refuse whatever the forms would refuse.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.audit import actions
from banzu.audit.services import record
from banzu.editions.enums import AwardMode, PresentationSheetSource
from banzu.editions.models import AwardTier, Edition, PresentationItem, RubricItem

actions.register("edition.create", "edition.unmark_current", "edition.update")

EDITION_FIELDS = (
    "year",
    "title",
    "notice_number",
    "notice_date",
    "registration_opens_at",
    "recommendation_deadline",
    "materials_weight",
    "presentation_weight",
    "aggregation_rule",
    "trim_min_experts",
    "award_mode",
    "contacts",
    "is_active",
)
RUBRIC_TOTAL = Decimal("100")
# Attachment 3 has five items: a new edition's rubric form offers at least this many rows.
USUAL_RUBRIC_ITEMS = 5
MAX_POSITION = 999
# Kept rows move out of the way while they are renumbered, so swapping two positions never
# collides with the unique (edition, position) constraint.
_PARKED = 100_000


@dataclass(frozen=True)
class RubricRow:
    position: int
    title: str
    criteria: str
    max_points: Decimal
    pk: int | None = None


@dataclass(frozen=True)
class PresentationRow:
    position: int
    title: str
    text: str
    max_points: Decimal
    pk: int | None = None


@dataclass(frozen=True)
class TierRow:
    position: int
    name: str
    quota: int | None = None
    min_score: Decimal | None = None
    share_percent: Decimal | None = None
    pk: int | None = None


RUBRIC_ATTRS = ("position", "title", "criteria", "max_points")
PRESENTATION_ATTRS = ("position", "title", "text", "max_points")
TIER_ATTRS = ("position", "name", "quota", "min_score", "share_percent")
PointsRow = RubricRow | PresentationRow


# --- Rules ----------------------------------------------------------------------------------


def points(value: Decimal) -> str:
    """95.0 → "95", 92.5 → "92.5": a total as people write it."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def edition_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """Problems with an edition's own fields, by field name."""
    errors: dict[str, str] = {}
    materials = values.get("materials_weight")
    presentation = values.get("presentation_weight")
    if materials is not None and presentation is not None and materials + presentation != 100:
        errors["presentation_weight"] = _(
            "The materials weight and the presentation weight must add up to 100; "
            "now they add up to %(total)s."
        ) % {"total": materials + presentation}
    opens: dt.datetime | None = values.get("registration_opens_at")
    deadline: dt.datetime | None = values.get("recommendation_deadline")
    if opens is not None and deadline is not None and deadline <= opens:
        errors["recommendation_deadline"] = _(
            "The recommendation deadline must come after registration opens."
        )
    return errors


def _duplicates(positions: Iterable[int]) -> list[int]:
    return sorted(p for p, n in Counter(positions).items() if n > 1)


def is_half_points(value: Decimal) -> bool:
    return value > 0 and (value * 2) % 1 == 0


def _points_errors(
    rows: Sequence[PointsRow],
    *,
    total: Decimal | None,
    same_number: str,
    not_halves: str,
    wrong_total: str,
) -> list[str]:
    """Problems with a sheet of items scored in half points: unique numbers, every maximum
    above 0 in halves and, unless `total` is None, the maxima adding up to `total`. The messages
    are the sheet's own, with %(numbers)s, %(titles)s, %(total)s and %(expected)s to fill in."""
    errors = []
    duplicates = _duplicates(row.position for row in rows)
    if duplicates:
        errors.append(same_number % {"numbers": ", ".join(str(p) for p in duplicates)})
    odd = [row.title for row in rows if not is_half_points(row.max_points)]
    if odd:
        errors.append(not_halves % {"titles": ", ".join(odd)})
    actual = sum((row.max_points for row in rows), Decimal("0"))
    if total is not None and actual != total:
        errors.append(wrong_total % {"total": points(actual), "expected": points(total)})
    return errors


def rubric_errors(rows: Sequence[RubricRow]) -> list[str]:
    """Problems with a rubric as a whole: the materials are scored out of 100."""
    return _points_errors(
        rows,
        total=RUBRIC_TOTAL,
        same_number=_("Two rubric items have the same number: %(numbers)s."),
        not_halves=_(
            "Rubric items need maximum points above 0 in whole or half points: %(titles)s."
        ),
        wrong_total=_(
            "The maximum points of the rubric items must add up to 100 "
            "(the materials are scored out of 100); now they add up to %(total)s."
        ),
    )


def presentation_errors(rows: Sequence[PresentationRow], *, source: str, weight: int) -> list[str]:
    """Problems with the presentation sheet: the edition's own items add up to the presentation
    weight. With the scaled rubric the items are not used, so their total is not checked."""
    return _points_errors(
        rows,
        total=Decimal(weight) if source == PresentationSheetSource.OWN_ITEMS else None,
        same_number=_("Two presentation items have the same number: %(numbers)s."),
        not_halves=_(
            "Presentation items need maximum points above 0 in whole or half points: %(titles)s."
        ),
        wrong_total=_(
            "The maximum points of the presentation items must add up to the presentation "
            "weight, %(expected)s; now they add up to %(total)s."
        ),
    )


def tier_errors(rows: Sequence[TierRow]) -> list[str]:
    duplicates = _duplicates(row.position for row in rows)
    if not duplicates:
        return []
    return [
        _("Two award tiers have the same order: %(numbers)s.")
        % {"numbers": ", ".join(str(p) for p in duplicates)}
    ]


def tier_row_errors(*, award_mode: str, rows: Sequence[TierRow]) -> dict[int, dict[str, str]]:
    """Problems of single tiers under the award mode, by index into `rows`, then field name:
    by rank quota every tier needs its number of awards, by score threshold its minimum total
    (lower than the tier before it), by share its share of the ranked teams."""
    errors: dict[int, dict[str, str]] = {}
    if award_mode == AwardMode.QUOTA:
        for index, row in enumerate(rows):
            if row.quota is None:
                errors[index] = {
                    "quota": _("Enter the number of awards: tiers are assigned by rank quota.")
                }
    elif award_mode == AwardMode.THRESHOLD:
        previous: TierRow | None = None
        for index, row in sorted(enumerate(rows), key=lambda pair: pair[1].position):
            if row.min_score is None:
                errors[index] = {
                    "min_score": _(
                        "Enter the minimum total score: tiers are assigned by score threshold."
                    )
                }
                continue
            if (
                previous is not None
                and previous.min_score is not None
                and row.min_score >= previous.min_score
            ):
                errors[index] = {
                    "min_score": _(
                        "The minimum score must be lower than that of the tier before it "
                        "(%(name)s: %(score)s)."
                    )
                    % {"name": previous.name, "score": points(previous.min_score)}
                }
            previous = row
    elif award_mode == AwardMode.SHARE:
        for index, row in enumerate(rows):
            if row.share_percent is None:
                errors[index] = {
                    "share_percent": _(
                        "Enter the share of the ranked teams: tiers are assigned by share."
                    )
                }
    return errors


def tier_total_errors(*, award_mode: str, rows: Sequence[TierRow]) -> list[str]:
    """Problems of the tiers together under the award mode: shares add up to 100% at most."""
    if award_mode != AwardMode.SHARE:
        return []
    total = sum((row.share_percent or Decimal(0) for row in rows), Decimal(0))
    if total <= 100:
        return []
    return [
        _("The tiers' shares add up to %(total)s%%; they can add up to 100%% at most.")
        % {"total": points(total)}
    ]


def award_tier_errors(*, award_mode: str, rows: Sequence[TierRow]) -> list[str]:
    """Every rule of the award tiers under the award mode, as messages."""
    general = tier_errors(rows) + tier_total_errors(award_mode=award_mode, rows=rows)
    by_row = tier_row_errors(award_mode=award_mode, rows=rows)
    for index, problems in sorted(by_row.items()):
        general.extend(f"{rows[index].name}: {message}" for message in problems.values())
    return general


def configuration_errors(
    *,
    values: Mapping[str, Any],
    rubric: Sequence[RubricRow],
    presentation: Sequence[PresentationRow],
    tiers: Sequence[TierRow],
) -> dict[str, list[str]]:
    """Every rule at once, as a ValidationError's dictionary."""
    errors: dict[str, list[str]] = {
        field: [message] for field, message in edition_errors(values).items()
    }
    general = rubric_errors(rubric)
    general += presentation_errors(
        presentation,
        source=values["presentation_sheet_source"],
        weight=values["presentation_weight"],
    )
    general += award_tier_errors(award_mode=values["award_mode"], rows=tiers)
    if general:
        errors[NON_FIELD_ERRORS] = general
    return errors


# --- Writes ---------------------------------------------------------------------------------


def _check_keys(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(EDITION_FIELDS)
    if unknown:
        raise ValueError(f"Not edition fields: {sorted(unknown)}")


def _unmark_current(*, keep: Edition) -> Edition | None:
    """Un-mark the current edition other than `keep`; the partial unique constraint allows one."""
    previous = (
        Edition.objects.select_for_update().filter(is_active=True).exclude(pk=keep.pk).first()
    )
    if previous is not None:
        Edition.objects.filter(pk=previous.pk).update(is_active=False)
        previous.is_active = False
    return previous


def _record_unmarked(
    *, previous: Edition | None, by: User, edition: Edition, ip: str | None
) -> None:
    if previous is not None:
        record(
            action="edition.unmark_current",
            actor=by,
            target=previous,
            data={"replaced_by": edition.year},
            ip=ip,
        )


# The rows an edition owns, each with the attributes that make one: what a copy carries over.
_EDITION_ROWS: tuple[
    tuple[type[RubricItem | PresentationItem | AwardTier], tuple[str, ...]], ...
] = (
    (RubricItem, RUBRIC_ATTRS),
    (PresentationItem, PRESENTATION_ATTRS),
    (AwardTier, TIER_ATTRS),
)


def _copy_rows(
    *,
    model: type[RubricItem | PresentationItem | AwardTier],
    attrs: tuple[str, ...],
    source: Edition,
    edition: Edition,
) -> None:
    for row in model.objects.filter(edition=source).order_by("position"):
        copy = model(edition=edition, **{a: getattr(row, a) for a in attrs})
        copy.full_clean()
        copy.save()


def create_edition(
    *,
    by: User,
    fields: Mapping[str, Any],
    copy_from: Edition | None = None,
    ip: str | None = None,
) -> Edition:
    """A new edition; with `copy_from`, that edition's rubric, presentation sheet (its source
    and its items) and award tiers come along."""
    _check_keys(fields)
    problems = edition_errors(fields)
    if problems:
        raise ValidationError({field: [message] for field, message in problems.items()})
    with transaction.atomic():
        edition = Edition(**fields)
        previous = _unmark_current(keep=edition) if edition.is_active else None
        edition.full_clean()
        edition.save()
        if copy_from is not None:
            if edition.presentation_sheet_source != copy_from.presentation_sheet_source:
                edition.presentation_sheet_source = copy_from.presentation_sheet_source
                edition.save(update_fields=["presentation_sheet_source"])
            for model, attrs in _EDITION_ROWS:
                _copy_rows(model=model, attrs=attrs, source=copy_from, edition=edition)
        _record_unmarked(previous=previous, by=by, edition=edition, ip=ip)
        record(
            action="edition.create",
            actor=by,
            target=edition,
            data={
                "year": edition.year,
                "copied_from": copy_from.year if copy_from is not None else None,
                "current": edition.is_active,
            },
            ip=ip,
        )
    return edition


def _sync_rows(
    *,
    model: type[RubricItem | PresentationItem | AwardTier],
    edition: Edition,
    rows: Sequence[RubricRow] | Sequence[PresentationRow] | Sequence[TierRow],
    attrs: tuple[str, ...],
) -> dict[str, int]:
    """Make the edition's rows exactly `rows`: update kept ones, add new ones, delete the rest."""
    existing: dict[int, Any] = {obj.pk: obj for obj in model.objects.filter(edition=edition)}
    kept = {row.pk for row in rows if row.pk is not None}
    if not kept <= existing.keys():
        raise ValidationError(_("A row does not belong to this edition. Reload the page."))
    removed = [pk for pk in existing if pk not in kept]
    model.objects.filter(pk__in=removed).delete()
    model.objects.filter(pk__in=kept).update(position=F("position") + _PARKED)
    created = updated = 0
    for row in rows:
        if row.pk is None:
            obj: Any = model(edition=edition)
            created += 1
        else:
            obj = existing[row.pk]
            if any(getattr(obj, a) != getattr(row, a) for a in attrs):
                updated += 1
        for attr in attrs:
            setattr(obj, attr, getattr(row, attr))
        obj.full_clean()
        obj.save()
    return {"created": created, "updated": updated, "deleted": len(removed)}


def update_edition(
    *,
    by: User,
    edition: Edition,
    fields: Mapping[str, Any],
    rubric: Sequence[RubricRow],
    presentation_source: str,
    presentation: Sequence[PresentationRow],
    tiers: Sequence[TierRow],
    ip: str | None = None,
) -> Edition:
    """Reconfigure an edition: its own fields, its whole rubric, its presentation sheet (where
    it comes from and the edition's own items) and its whole set of tiers."""
    _check_keys(fields)
    if presentation_source not in PresentationSheetSource.values:
        raise ValueError(f"Not a presentation sheet source: {presentation_source!r}")
    values = {name: getattr(edition, name) for name in EDITION_FIELDS} | dict(fields)
    values["presentation_sheet_source"] = presentation_source
    problems = configuration_errors(
        values=values, rubric=rubric, presentation=presentation, tiers=tiers
    )
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        changed = sorted(name for name, value in values.items() if getattr(edition, name) != value)
        for name, value in values.items():
            setattr(edition, name, value)
        previous = _unmark_current(keep=edition) if edition.is_active else None
        edition.full_clean()
        edition.save()
        rubric_changes = _sync_rows(
            model=RubricItem, edition=edition, rows=rubric, attrs=RUBRIC_ATTRS
        )
        presentation_changes = _sync_rows(
            model=PresentationItem, edition=edition, rows=presentation, attrs=PRESENTATION_ATTRS
        )
        tier_changes = _sync_rows(model=AwardTier, edition=edition, rows=tiers, attrs=TIER_ATTRS)
        _record_unmarked(previous=previous, by=by, edition=edition, ip=ip)
        record(
            action="edition.update",
            actor=by,
            target=edition,
            data={
                "fields": changed,
                "rubric": rubric_changes,
                "presentation": presentation_changes,
                "tiers": tier_changes,
            },
            ip=ip,
        )
    return edition


def set_award_tiers(
    *, edition: Edition, award_mode: str, tiers: Sequence[TierRow]
) -> dict[str, int]:
    """Set how the edition's award tiers are assigned and its whole set of tiers, refused under
    the same rules as the edition page (the results settings page sets them with the results'
    other settings). The caller journals the change with its own; the changes per row back."""
    if award_mode not in AwardMode.values:
        raise ValueError(f"Not an award mode: {award_mode!r}")
    problems = award_tier_errors(award_mode=award_mode, rows=tiers)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if edition.award_mode != award_mode:
            edition.award_mode = award_mode
            edition.save(update_fields=["award_mode"])
        return _sync_rows(model=AwardTier, edition=edition, rows=tiers, attrs=TIER_ATTRS)
