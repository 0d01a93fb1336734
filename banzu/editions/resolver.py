"""Which edition a request works on: the one resolver every page asks.

Several editions live side by side: the 2026 publicity and certificates run while 2027
registration is open. A page works on the edition named in its query string (``?edition=2025``),
else the one the user chose in the switcher (kept in the session), else the current edition (the
one applicants apply to). The answer is computed once per request.
"""

from __future__ import annotations

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest

from banzu.core.params import int_param
from banzu.editions.models import Edition

SESSION_KEY = "banzu_edition_year"
QUERY_KEY = "edition"
_CACHE = "_banzu_editions"


def _year(raw: object) -> int | None:
    return int_param(raw, minimum=1000, maximum=9999)


def editions(request: HttpRequest) -> tuple[list[Edition], Edition | None]:
    """Every edition (newest first) and the one this request works on, in one query."""
    cached: tuple[list[Edition], Edition | None] | None = getattr(request, _CACHE, None)
    if cached is not None:
        return cached
    every = list(Edition.objects.order_by("-year"))
    session = getattr(request, "session", None)
    wanted = _year(request.GET.get(QUERY_KEY)) or _year(
        session.get(SESSION_KEY) if session else None
    )
    chosen = next((e for e in every if wanted is not None and e.year == wanted), None)
    if chosen is None:
        chosen = next((e for e in every if e.is_active), None)
    if chosen is not None:
        prefetch_related_objects([chosen], "rubric_items")
    setattr(request, _CACHE, (every, chosen))
    return every, chosen


def edition_for(request: HttpRequest) -> Edition | None:
    return editions(request)[1]


def edition_or_404(request: HttpRequest) -> Edition:
    edition = edition_for(request)
    if edition is None:
        raise Http404
    return edition


def choose(request: HttpRequest, year: int) -> Edition | None:
    """Remember the user's choice for the following pages; None if there is no such edition."""
    edition = Edition.objects.filter(year=year).first()
    if edition is None:
        return None
    if edition.is_active:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = edition.year
    if hasattr(request, _CACHE):
        delattr(request, _CACHE)
    return edition
