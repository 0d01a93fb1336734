"""Rows of the URL matrix kept beside their stage, one module per part (tests/access/
test_url_matrix.py reads them all). A part module defines

    ROWS: dict[str, str]        URL name -> the answers in the order of PERSONAS
    def args(users) -> dict     URL name -> its kwargs, made from the demo inside the module's
                                transaction (it may create the objects its URLs need)

so that a stage's pages get their rows without every stage editing one file.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType


def parts() -> Iterator[ModuleType]:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda found: found.name):
        yield importlib.import_module(f"{__name__}.{info.name}")
