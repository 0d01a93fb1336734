"""Two identical submissions at the same moment (the phone's retry racing its first try) store
one sheet and journal one submission; both callers get the stored sheet."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connections

from banzu.audit.models import AuditEntry
from banzu.presentations import sheets
from banzu.presentations.models import PresentationSheet

GOOD = {1: "5.5", 2: "4", 3: "3.5", 4: "2.5", 5: "3"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_key", [True, False])
def test_simultaneous_submissions_store_one_sheet(world, same_key):
    member, slot = world.panel_a[1], world.slots_a[0]
    shared = uuid.uuid4()
    keys = [shared, shared] if same_key else [uuid.uuid4(), uuid.uuid4()]
    barrier = threading.Barrier(len(keys))
    results: list[sheets.Submission] = []
    errors: list[BaseException] = []

    def submit(key: uuid.UUID) -> None:
        try:
            barrier.wait(timeout=10)
            results.append(
                sheets.submit_sheet(
                    slot=slot, expert=member, points=GOOD, comment="", client_key=key
                )
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert PresentationSheet.objects.filter(slot=slot, expert=member).count() == 1
    assert AuditEntry.objects.filter(action="presentations.sheet.submitted").count() == 1
    if same_key:
        assert errors == []
        assert sorted(r.replayed for r in results) == [False, True]
        assert len({r.sheet.pk for r in results}) == 1
    else:
        # A second, different key for a submitted sheet is refused, and journalled.
        assert [r.replayed for r in results] == [False]
        assert [getattr(e, "code", repr(e)) for e in errors] == ["submitted"]
        assert AuditEntry.objects.filter(action="presentations.sheet_refused").count() == 1
