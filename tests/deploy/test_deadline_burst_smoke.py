"""The deadline burst's measuring code (bench/burst.py) with three applicants on the live server:
what it counts as sent, acknowledged, stored, hash-matching and lost is what happened. The
figures of the real burst are printed by bench/deadline_burst.py, never asserted in a test."""

from __future__ import annotations

import threading
import time

import pytest
from django.urls import reverse
from django.utils import translation

from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.messages import upload_message
from banzu.applications.models import Application, Document
from banzu.applications.services import upload_limits
from bench import burst
from tests.uploads.hostile import slow_pdf

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


@pytest.mark.real_parse
def test_slow_pdfs_sent_at_once_do_not_hold_up_other_requests(live_server, tmp_path):
    """Issue 16's slow PDF, sent by three applicants at the same moment (each check runs in its
    own limited child): every one is refused as too complex, and the login page, fetched while
    they are being checked, answers each time sooner than the quickest of the three checks —
    the server is not held. (How long the checks take is the bench's to print.)"""
    seeded = burst.seed_applicants(3)
    slow = slow_pdf(tmp_path / "slow.pdf").read_bytes()
    target = burst.Target(int(live_server.url.rsplit(":", 1)[1]), scheme="http", timeout_s=60)
    uploads = burst.prepare(
        target,
        seeded,
        [slow, slow, slow],
        kind=DocumentKind.MATERIALS_PDF,
        filename="班组创建材料.pdf",
        content_type="application/pdf",
    )
    running: list[burst.BurstResult] = []
    sender = threading.Thread(
        target=lambda: running.append(burst.run_burst(target, uploads, reverse("accounts:login")))
    )
    sender.start()
    answered: list[tuple[int, float]] = []
    while sender.is_alive():
        started = time.perf_counter()
        status, _headers, _page = burst.Client(target.port).request(
            "GET", reverse("accounts:login"), proxied=False
        )
        if sender.is_alive():
            answered.append((status, time.perf_counter() - started))
        time.sleep(0.05)
    sender.join()
    (result,) = running

    with translation.override("zh-hans"):
        too_complex = upload_message(
            "too_complex", upload_limits(DocumentKind.MATERIALS_PDF).max_bytes
        )
    assert [o.error for o in result.outcomes] == [f"refused: {too_complex}"] * 3
    assert not Document.objects.exists()
    assert len(answered) >= 2
    assert {status for status, _seconds in answered} == {200}
    quickest_check = min(o.latency_s for o in result.outcomes)
    assert max(seconds for _status, seconds in answered) < quickest_check
