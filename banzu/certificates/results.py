"""The published results as an applicant and a recommender read them, from the version the
edition published (banzu.publicity.publication): the award, rank, total and its parts, the
commendation notice and the certificate; for the applicant, if the edition allows it, the
experts' comments on the counted sheets.

The comments never carry who wrote them: no name, no scorer, and no order that follows the
sheets or the experts (each list is sorted by its text). A sheet reopened after the version was
sealed gives the comment it had when it was counted (its earlier version)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.certificates.models import Certificate
from banzu.core.access import Someone, deny, is_applicant, is_recommender_staff
from banzu.presentations.models import PresentationSheet
from banzu.publicity.models import Publicity
from banzu.publicity.publication import published_publicity
from banzu.results.enums import ApartReason
from banzu.results.gather import MATERIALS, PRESENTATION
from banzu.scoring.models import ScoreSheet

# Listed apart but never published (banzu.publicity.publication.published_ids).
UNPUBLISHED_REASONS = (ApartReason.ELIMINATED, ApartReason.DISQUALIFIED)


@dataclass(frozen=True)
class ItemComments:
    title: str
    comments: list[str]


@dataclass(frozen=True)
class Comments:
    overall: list[str]  # the materials sheets' overall comments
    items: list[ItemComments]  # the materials sheets' comments on each rubric item
    presentation: list[str]

    @property
    def empty(self) -> bool:
        return not (self.overall or self.items or self.presentation)


@dataclass
class Result:
    application: Application
    publicity: Publicity
    ranked: bool  # False: listed apart (did not present)
    tier: str  # the award tier or the non-presenters' award; "" for none
    room_award: str  # the room award's name when this team won it in its room
    room: str
    rank: int | None
    total: Decimal | None
    materials_score: Decimal | None
    materials_share: Decimal | None
    presentation: Decimal | None
    materials_weight: int
    presentation_weight: int
    reason: str  # why listed apart, in words
    detail: str
    certificate: Certificate | None = None
    comments: Comments | None = None
    comments_shown: bool = False

    @property
    def award(self) -> str:
        return self.tier or self.room_award


def _decimal(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def result_of(application: Application, publicity: Publicity) -> Result | None:
    """The application's published result, or None when the version does not publish one."""
    payload: Mapping[str, Any] = publicity.version.payload
    settings = payload.get("settings", {})
    rules = payload.get("rules", {})
    materials_weight = int(rules.get("materials_weight", 80))
    presentation_weight = int(rules.get("presentation_weight", 20))
    for row in payload.get("rows", []):
        if int(row["application"]) == application.pk:
            return Result(
                application=application,
                publicity=publicity,
                ranked=True,
                tier=row.get("tier") or "",
                room_award=(settings.get("room_award") or "") if row.get("room_award") else "",
                room=str(payload.get("rooms", {}).get(str(row.get("room")), "")),
                rank=row.get("rank"),
                total=_decimal(row.get("total")),
                materials_score=_decimal(row.get("materials_score")),
                materials_share=_decimal(row.get("materials_share")),
                presentation=_decimal(row.get("presentation")),
                reason="",
                detail="",
                materials_weight=materials_weight,
                presentation_weight=presentation_weight,
            )
    for row in payload.get("apart", []):
        if int(row["application"]) == application.pk and row["reason"] not in UNPUBLISHED_REASONS:
            return Result(
                application=application,
                publicity=publicity,
                ranked=False,
                tier=row.get("tier") or "",
                room_award="",
                room="",
                rank=None,
                total=None,
                materials_score=_decimal(row.get("materials_score")),
                materials_share=None,
                presentation=None,
                reason=str(ApartReason(row["reason"]).label),
                detail=row.get("detail") or "",
                materials_weight=materials_weight,
                presentation_weight=presentation_weight,
            )
    return None


def published_applications(user: Someone) -> QuerySet[Application]:
    """The published applications an applicant's enterprise or a recommender's region has."""
    found = Application.objects.filter(state=ApplicationState.PUBLISHED).select_related(
        "team__enterprise", "edition", "recommender"
    )
    enterprise: int | None = getattr(user, "enterprise_id", None)
    recommender: int | None = getattr(user, "recommender_id", None)
    if is_applicant(user) and enterprise is not None:
        return found.filter(team__enterprise_id=enterprise)
    if is_recommender_staff(user) and recommender is not None:
        return found.filter(recommender_id=recommender)
    return found.none()


def results_for(applications: Sequence[Application]) -> list[Result]:
    """The published results of `applications` with their certificates, newest edition first
    and by rank: two queries whatever their number (the publicities, the certificates)."""
    if not applications:
        return []
    publicities = {
        publicity.edition_id: publicity
        for publicity in Publicity.objects.filter(
            edition__in={application.edition_id for application in applications},
            published=True,
        ).select_related("edition", "version")
    }
    found: list[Result] = []
    for application in applications:
        publicity = publicities.get(application.edition_id)
        result = None if publicity is None else result_of(application, publicity)
        if result is not None:
            found.append(result)
    certificates = {
        (certificate.version_id, certificate.application_id): certificate
        for certificate in Certificate.objects.filter(
            application__in=[result.application for result in found],
            version__in=[result.publicity.version_id for result in found],
        )
    }
    for result in found:
        result.certificate = certificates.get((result.publicity.version_id, result.application.pk))
    return sorted(found, key=_order)


def _order(result: Result) -> tuple[int, int, int, str]:
    return (
        -result.application.edition.year,
        0 if result.ranked else 1,
        result.rank or 0,
        result.application.team.name,
    )


def get_result_for_user_or_404(user: Someone, pk: int, *, ip: str | None = None) -> Result:
    """An applicant's own published result with its certificate and, if the version's settings
    allow, the experts' comments. Anything else (another enterprise's application, an edition
    not yet published, a team the version does not publish) is 404."""
    enterprise: int | None = getattr(user, "enterprise_id", None)
    application = (
        Application.objects.filter(pk=pk, team__enterprise_id=enterprise)
        .select_related("team__enterprise", "edition", "recommender")
        .first()
        if is_applicant(user) and enterprise is not None
        else None
    )
    publicity = None if application is None else published_publicity(application.edition)
    result = None if application is None or publicity is None else result_of(application, publicity)
    if result is None:
        raise deny(user, "published result", pk, ip=ip)
    result.certificate = Certificate.objects.filter(
        version_id=result.publicity.version_id, application=result.application
    ).first()
    payload = result.publicity.version.payload
    result.comments_shown = bool(payload.get("settings", {}).get("show_comments_to_applicants"))
    if result.comments_shown:
        result.comments = comments(payload, application_id=result.application.pk)
    return result


# --- The experts' comments ---------------------------------------------------------------------


@dataclass
class _Collected:
    overall: list[str] = field(default_factory=list)
    items: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    presentation: list[str] = field(default_factory=list)


def _records(payload: Mapping[str, Any], side: str, application_id: int) -> list[Mapping[str, Any]]:
    return [
        record
        for record in payload.get("sheets", {}).get(side, [])
        if int(record["application"]) == application_id
    ]


def _materials(records: Iterable[Mapping[str, Any]], into: _Collected) -> None:
    versions = {int(record["id"]): int(record["version"]) for record in records}
    sheets = ScoreSheet.objects.filter(pk__in=versions).prefetch_related(
        "items__rubric_item", "old_versions"
    )
    for sheet in sheets:
        counted = versions[sheet.pk]
        if sheet.version == counted:
            overall = sheet.overall_comment
            items = [
                (item.rubric_item.position, item.rubric_item.title, item.comment)
                for item in sheet.items.all()
            ]
        else:
            old = next((v for v in sheet.old_versions.all() if v.version == counted), None)
            if old is None:
                continue
            overall = old.overall_comment
            items = [
                (int(item.get("position", 0)), str(item.get("title", "")), item.get("comment", ""))
                for item in old.items
            ]
        if overall.strip():
            into.overall.append(overall.strip())
        for position, title, comment in items:
            if comment and comment.strip():
                into.items.setdefault((position, title), []).append(comment.strip())


def _presentation(records: Iterable[Mapping[str, Any]], into: _Collected) -> None:
    versions = {int(record["id"]): int(record["version"]) for record in records}
    for sheet in PresentationSheet.objects.filter(pk__in=versions).prefetch_related("old_versions"):
        counted = versions[sheet.pk]
        if sheet.version == counted:
            comment = sheet.comment
        else:
            old = next((v for v in sheet.old_versions.all() if v.version == counted), None)
            comment = "" if old is None else old.comment
        if comment.strip():
            into.presentation.append(comment.strip())


def comments(payload: Mapping[str, Any], *, application_id: int) -> Comments:
    """The comments of the application's counted sheets, each list sorted by its text."""
    collected = _Collected()
    _materials(_records(payload, MATERIALS, application_id), collected)
    _presentation(_records(payload, PRESENTATION, application_id), collected)
    return Comments(
        overall=sorted(collected.overall),
        items=[
            ItemComments(title=title, comments=sorted(found))
            for (_position, title), found in sorted(collected.items.items())
        ],
        presentation=sorted(collected.presentation),
    )
