"""The registry of audit action names.

Every app names the actions it journals (in its AppConfig, and every workflow `Machine` names its
moves), so the journal speaks a closed vocabulary: `record()` refuses a name nobody registered,
and a test checks that each action written in the source is registered.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
_known: set[str] = set()


def register(*names: str) -> None:
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"Not an audit action name: {name!r}")
        _known.add(name)


def is_known(name: str) -> bool:
    return name in _known


def known() -> frozenset[str]:
    return frozenset(_known)


register("access.denied")
# The migration that sealed the entries written before the journal had a key (0004).
register("audit.sealed")
