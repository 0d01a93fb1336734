"""The deadline burst's measuring code (bench/burst.py) with three applicants on the live server:
what it counts as sent, acknowledged, stored, hash-matching and lost is what happened. The
figures of the real burst are printed by bench/deadline_burst.py, never asserted in a test."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.messages import upload_message
from banzu.applications.models import Application, Document
from banzu.applications.services import upload_limits
from bench import burst

pytestmark = pytest.mark.django_db(transaction=True)

NOT_WORD = b"PK\x03\x04 this is not a Word file"


def test_the_burst_counts_what_the_server_acknowledged_and_stored(live_server):
    seeded = burst.seed_applicants(3)
    files = [burst.materials_docx(0), burst.materials_docx(1), NOT_WORD]
    target = burst.Target(int(live_server.url.rsplit(":", 1)[1]), scheme="http", timeout_s=30)

    uploads = burst.prepare(target, seeded, files)
    result = burst.run_burst(target, uploads, reverse("accounts:login"))

    # Three distinct applicants with a draft each, three distinct files sent.
    assert [a["username"] for a in seeded] == ["burst001", "burst002", "burst003"]
    assert {Application.objects.get(pk=a["application"]).state for a in seeded} == {
        ApplicationState.DRAFT
    }
    assert len({u.sha256 for u in uploads}) == 3
    # The server's answers, as the view's contract gives them: 302 for a stored file, the form
    # again with its message for a refused one.
    by_application = {o.application: o for o in result.outcomes}
    assert [by_application[a["application"]].acknowledged for a in seeded] == [True, True, False]
    with translation.override("zh-hans"):
        refusal = upload_message("parse", upload_limits(DocumentKind.MATERIALS_DOCX).max_bytes)
    summary = burst.summary(result)
    assert summary["errors"] == {f"refused: {refusal}": 1}
    assert all(0 < o.latency_s <= result.wall_s for o in result.outcomes)
    assert summary["p50_s"] <= summary["p95_s"] == summary["max_s"]
    assert summary["max_s"] == max(o.latency_s for o in result.outcomes)
    assert summary["probes"] >= 1
    assert summary["probe_failures"] == 0

    # The database and the file store: two rows, their files' bytes those sent.
    rows = burst.outcome_rows(result)
    assert burst.stored_figures(rows) == {
        "sent": 3,
        "acknowledged": 2,
        "stored": 2,
        "rows": 2,
        "hash_matching": 2,
        "lost": 0,
        "stored_unacknowledged": 0,
        "orphan_files": 0,
        "temp_leftovers": 0,
    }
    assert Document.objects.filter(kind=DocumentKind.MATERIALS_DOCX).count() == 2

    # A byte flipped on disk no longer matches; an answer the database does not bear out is a
    # lost file; a stored file whose answer never arrived is counted apart.
    first, second, third = (a["application"] for a in seeded)
    stored_path = burst.store_path_of(first)
    assert stored_path is not None
    data = bytearray(stored_path.read_bytes())
    data[100] ^= 0xFF
    stored_path.write_bytes(bytes(data))
    claimed = {third: True, second: False}
    rows = [
        row | {"acknowledged": claimed.get(row["application"], row["acknowledged"])} for row in rows
    ]
    figures = burst.stored_figures(rows)
    assert figures["hash_matching"] == 1
    assert figures["lost"] == 1
    assert figures["stored_unacknowledged"] == 1
