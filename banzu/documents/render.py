"""Build official documents from the domain: the one entry point views and tasks call.

`render(document, fmt)` turns any layout's `Document` into bytes; the `attachment*` functions
return a `Rendered` (file name, content type, bytes) for one document in one format."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from typing import Literal

from django.conf import settings
from django.utils import timezone

from banzu.applications.models import Application
from banzu.documents import docx, fonts, pdf, xlsx
from banzu.documents.layouts import attachment1, attachment2, attachment3
from banzu.documents.model import Document
from banzu.editions.models import Edition
from banzu.scoring.models import ScoreSheet

Format = Literal["docx", "pdf", "xlsx"]
FORMATS: tuple[Format, ...] = ("docx", "pdf", "xlsx")
CONTENT_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": xlsx.XLSX_CONTENT_TYPE,
}


def as_format(fmt: str, allowed: tuple[Format, ...] = FORMATS) -> Format | None:
    """The format named in a URL, if it is one of `allowed`."""
    for known in allowed:
        if fmt == known:
            return known
    return None


@dataclass(frozen=True)
class Rendered:
    filename: str
    content_type: str
    content: bytes


@functools.cache
def font_set() -> fonts.FontSet:
    return fonts.prepare(settings.DOCUMENT_FONT_DIR)


def render(document: Document, fmt: Format) -> bytes:
    if fmt == "pdf":
        return pdf.render(document, font_set())
    if fmt == "docx":
        return docx.render(document)
    if fmt == "xlsx":
        return xlsx.render(document)
    raise ValueError(f"unknown format {fmt!r}")


def _rendered(document: Document, stem: str, fmt: Format) -> Rendered:
    return Rendered(f"{safe_filename(stem)}.{fmt}", CONTENT_TYPES[fmt], render(document, fmt))


def safe_filename(stem: str) -> str:
    """A file name any system accepts: no path separators or characters Windows refuses,
    at most 120 characters (Chinese names are kept; the response encodes them per RFC 6266)."""
    cleaned = "".join(
        "_" if ch in '\\/:*?"<>|' or ord(ch) < 32 or ord(ch) == 0x7F else ch
        for ch in stem
        if unicodedata.category(ch) != "Cf"  # bidi overrides, zero-width characters
    ).strip(". ")
    return cleaned[:120] or "document"


# --- Attachment 1 -----------------------------------------------------------------------------


def attachment1_file(application: Application, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 1 is a form: Word or PDF")
    return _rendered(attachment1.build(application), attachment1.filename_stem(application), fmt)


# --- Attachment 2 -----------------------------------------------------------------------------


def attachment2_document(recommender: object, edition: Edition, *, today: dt.date) -> Document:
    from banzu.accounts.models import Recommender
    from banzu.recommendations.exports import attachment2_rows

    assert isinstance(recommender, Recommender)
    return attachment2.build(
        year=edition.year,
        recommender_name=recommender.name,
        rows=attachment2_rows(recommender, edition),
        today=today,
    )


def attachment2_file(
    recommender: object, edition: Edition, fmt: Format, *, today: dt.date | None = None
) -> Rendered:
    from banzu.accounts.models import Recommender

    assert isinstance(recommender, Recommender)
    document = attachment2_document(recommender, edition, today=today or timezone.localdate())
    return _rendered(document, attachment2.filename_stem(edition.year, recommender.short_name), fmt)


# --- Attachment 3 -----------------------------------------------------------------------------


def _items(edition: Edition) -> list[attachment3.Item]:
    return [
        attachment3.Item(
            position=item.position,
            title=item.title,
            criteria=item.criteria,
            max_points=item.max_points,
        )
        for item in edition.rubric_items.order_by("position")
    ]


def attachment3_blank_file(edition: Edition, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 3 is a form: Word or PDF")
    document = attachment3.build(year=edition.year, items=_items(edition))
    return _rendered(document, f"附件3_评价表_{edition.year}", fmt)


def attachment3_sheet_file(sheet: ScoreSheet, fmt: Format) -> Rendered:
    if fmt == "xlsx":
        raise ValueError("Attachment 3 is a form: Word or PDF")
    application = sheet.application
    edition = application.edition
    scores = {score.rubric_item_id: score for score in sheet.items.all()}
    items = []
    for item in edition.rubric_items.order_by("position"):
        score = scores.get(item.pk)
        items.append(
            attachment3.Item(
                position=item.position,
                title=item.title,
                criteria=item.criteria,
                max_points=item.max_points,
                points=score.points if score else None,
                comment=score.comment if score else "",
            )
        )
    scorer = sheet.scorer
    submitted = timezone.localdate(sheet.submitted_at) if sheet.submitted_at else None
    filled = attachment3.Filled(
        recommendation_number=application.recommendation_number or "",
        team_name=application.team.name,
        enterprise_name=application.team.enterprise.name,
        experience_title=application.experience_title,
        scorer_name=getattr(scorer, "full_name", "") or scorer.get_username(),
        stage_name=STAGE_NAMES.get(sheet.stage, sheet.stage),
        total=sheet.total,
        submitted_on=submitted,
        overall_comment=sheet.overall_comment,
    )
    document = attachment3.build(year=edition.year, items=items, filled=filled)
    stem = f"附件3_评价表_{application.team.name}_{filled.scorer_name}"
    return _rendered(document, stem, fmt)


STAGE_NAMES = {"recommender": "推荐单位初评", "materials": "专家评审（申报材料）"}
