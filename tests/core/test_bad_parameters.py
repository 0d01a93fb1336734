"""A number no database holds, or a "digit" int() refuses, is never a 500: in a URL, a query
string or a form field, every page answers it as absent (ignored, 404 or a form error).

Every URL of the site is asked, for each persona, with its numbers in the path set to 30 nines
and its query and form fields set to 30 nines or to "²" (str.isdigit() accepts it, int() does not).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import client_for

HUGE = "9" * 30
# Every parameter name the views read.
NAMES = (
    *("a", "b", "check", "edition", "expert", "industry", "kind", "page", "q"),
    *("recommender", "room", "slot", "sort", "state", "v", "year"),
)
QUERIES = {
    "huge": "&".join(f"{name}={HUGE}" for name in NAMES),
    "superscript": "&".join(f"{name}=²" for name in NAMES) + "&edition=²²²²",
}


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _paths() -> list[str]:
    paths = []
    for route in _routes():
        if "logout" in route:
            continue  # it would end the persona's session for the URLs after it
        path = re.sub(r"<int:\w+>", HUGE, route)
        paths.append("/" + re.sub(r"<(?:\w+:)?\w+>", "x", path))
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("persona", [None, "applicant_a", "recommender_hz", "expert", "admin_user"])
def test_no_page_answers_a_bad_number_with_500(request, persona, edition):
    client = client_for(request.getfixturevalue(persona) if persona else None)
    client.raise_request_exception = False
    failures = []
    for path in _paths():
        for name, query in QUERIES.items():
            status = client.get(f"{path}?{query}").status_code
            if status >= 500:
                failures.append(("GET", path, name, status))
        status = client.post(path, dict.fromkeys(NAMES, "²") | {"year": HUGE}).status_code
        if status >= 500:
            failures.append(("POST", path, "form", status))
    assert failures == []
