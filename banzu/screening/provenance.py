"""Which came first: what the screening knows of when each side of a similarity pair was written.

The text alone cannot tell who copied whom. An archive document is a past edition's published
text, so an application repeating it came later and may be said to copy it (with its year).
Two applications of the same edition are a mutual overlap: the page shows both submission
times and the upload times of the materials the scan read, and the screener decides; no
wording names a direction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application
from banzu.applications.models import Document as StoredDocument
from banzu.screening.models import ArchiveDocument

# The scan reads the Word materials, else the PDF (banzu.screening.scan.read_materials).
MATERIALS_ORDER = (DocumentKind.MATERIALS_DOCX, DocumentKind.MATERIALS_PDF)


@dataclass(frozen=True)
class Dates:
    """When one side was written, as far as the system knows: an application's last submission
    and the upload of its current materials file; an archive document's edition year."""

    submitted_at: dt.datetime | None = None
    uploaded_at: dt.datetime | None = None
    year: int | None = None


def is_mutual(source: Mapping[str, Any]) -> bool:
    """A report's source that is another application of this edition (an archive document is
    a past edition's, so it came first)."""
    return source.get("kind") == "application"


def application_dates(pks: Iterable[int]) -> dict[int, Dates]:
    """Two queries whatever the count."""
    wanted = set(pks)
    if not wanted:
        return {}
    submitted = dict(Application.objects.filter(pk__in=wanted).values_list("pk", "submitted_at"))
    uploads: dict[int, dict[str, dt.datetime]] = {}
    for application_id, kind, uploaded_at in StoredDocument.objects.filter(
        application_id__in=wanted, superseded_at__isnull=True, kind__in=MATERIALS_ORDER
    ).values_list("application_id", "kind", "uploaded_at"):
        uploads.setdefault(application_id, {})[kind] = uploaded_at
    found = {}
    for pk, submitted_at in submitted.items():
        files = uploads.get(pk, {})
        uploaded = next((files[kind] for kind in MATERIALS_ORDER if kind in files), None)
        found[pk] = Dates(submitted_at=submitted_at, uploaded_at=uploaded)
    return found


def archive_years(pks: Iterable[int]) -> dict[int, int]:
    wanted = set(pks)
    if not wanted:
        return {}
    return dict(ArchiveDocument.objects.filter(pk__in=wanted).values_list("pk", "year"))


def dated_sources(
    application: Application, sources: list[dict[str, Any]]
) -> tuple[Dates, list[dict[str, Any]]]:
    """This application's dates, and each source with its own `dates` and `mutual` (three
    queries at most whatever the count)."""
    applications = application_dates(
        [application.pk, *(s["pk"] for s in sources if s.get("kind") == "application")]
    )
    years = archive_years(s["pk"] for s in sources if s.get("kind") == "archive")
    dated = []
    for source in sources:
        if source.get("kind") == "archive":
            dates = Dates(year=years.get(source["pk"]))
        else:
            dates = applications.get(source["pk"], Dates())
        dated.append({**source, "dates": dates, "mutual": is_mutual(source)})
    return applications.get(application.pk, Dates()), dated
