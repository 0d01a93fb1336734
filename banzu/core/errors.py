"""The one error type every service raises when it refuses a write."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


class ServiceError(Exception):
    """A refused write, with a message fit to show the user.

    `code` names the refusal for callers that branch on it (``"deadline"``, ``"stale"``);
    `problems` lists every reason at once where there are several (a submission's missing parts);
    `field_errors` maps a form field or item id to its own message.
    """

    def __init__(
        self,
        message: str,
        *,
        code: str = "",
        problems: Sequence[Any] = (),
        field_errors: Mapping[Any, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = list(problems)
        self.field_errors = dict(field_errors or {})
