"""The journal speaks a closed vocabulary: every action written in the source is registered,
and `record()` refuses a name nobody registered."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import banzu
from banzu.audit import actions
from banzu.audit.models import AuditEntry
from banzu.audit.services import record

SOURCE = Path(banzu.__file__).parent
# `action="x.y"`, `start_action="x.y"` and the action argument of the form downloads.
LITERAL = re.compile(
    r'(?:\baction=|start_action=|send_form\(.*?,\s*)"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"'
)


def _every_module() -> None:
    for module in pkgutil.walk_packages([str(SOURCE)], prefix="banzu."):
        if ".migrations" in module.name or module.name.endswith(("__main__", ".wsgi")):
            continue
        importlib.import_module(module.name)


def _written_actions() -> dict[str, str]:
    found = {}
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for name in LITERAL.findall(path.read_text()):
            found[name] = str(path.relative_to(SOURCE))
    return found


def test_every_action_in_the_source_is_registered():
    _every_module()
    written = _written_actions()

    assert len(written) >= 40  # the scan itself works
    assert {name: where for name, where in written.items() if not actions.is_known(name)} == {}


def test_every_state_machine_move_is_registered():
    _every_module()

    assert {
        "application.submit",
        "application.transition_refused",
        "batch.submit",
        "batch.reopen",
        "review.assignment.confirmed",
        "review.assignment.removed",
        "score.submit",
        "score.reopen",
    } <= actions.known()


@pytest.mark.django_db
def test_an_unregistered_action_is_refused_and_nothing_is_written():
    before = AuditEntry.objects.count()

    with pytest.raises(ValueError, match=r"Unregistered audit action: 'applicaton\.submit'"):
        record(action="applicaton.submit")

    assert AuditEntry.objects.count() == before


def test_a_malformed_name_cannot_be_registered():
    with pytest.raises(ValueError, match="Not an audit action name"):
        actions.register("Submit Application")
