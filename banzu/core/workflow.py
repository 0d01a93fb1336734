"""The one workflow engine every state machine uses.

A `Machine` is data: which (from, to) moves exist, who may make each, whether it needs an open
deadline and a written reason. `Machine.check` is pure. `apply` is the only function that changes
a state: it locks the row, checks the move against the state it finds under the lock, saves,
journals the move (``<machine>.<action>``) or the refusal (``<machine>.transition_refused``,
written outside the transaction so a refusal is never rolled back), and lets the caller queue its
notices, which go out through the outbox after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.audit import actions
from banzu.audit.services import record
from banzu.core.access import Person
from banzu.core.errors import ServiceError


@dataclass(frozen=True)
class Rule:
    actors: frozenset[str]
    action: str
    before_deadline: bool = False
    needs_reason: bool = False


def rule(action: str, *actors: str, before_deadline: bool = False, reason: bool = False) -> Rule:
    return Rule(frozenset(actors), action, before_deadline, reason)


class TransitionRefused(ServiceError):
    """A move the machine does not allow; `code` is one of not_allowed, forbidden, deadline,
    reason."""


REFUSAL_CODES = ("not_allowed", "forbidden", "deadline", "reason")


@dataclass(frozen=True)
class Machine:
    name: str  # the audit prefix: "application", "batch", "assignment", "sheet", "job"
    rules: Mapping[tuple[Any, Any], Rule]
    states: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        for rule_ in self.rules.values():
            actions.register(f"{self.name}.{rule_.action}")
        actions.register(f"{self.name}.transition_refused")

    def check(
        self,
        *,
        current: str,
        target: str,
        actors: Iterable[str],
        deadline_open: bool = True,
        reason: str = "",
    ) -> Rule:
        """Return the rule that allows this move, or raise TransitionRefused saying why not."""
        found = self.rules.get((current, target))
        if found is None:
            raise TransitionRefused(f"Cannot go from {current} to {target}.", code="not_allowed")
        if not found.actors & set(actors):
            raise TransitionRefused("You may not make this change.", code="forbidden")
        if found.before_deadline and not deadline_open:
            raise TransitionRefused("The deadline has passed.", code="deadline")
        if found.needs_reason and not reason.strip():
            raise TransitionRefused("A reason is required.", code="reason")
        return found

    def targets(self, current: str) -> list[str]:
        return [to for (source, to) in self.rules if source == current]


def default_refusal_message(code: str) -> str:
    messages = {
        "not_allowed": _("This step is not possible in the current state."),
        "forbidden": _("You may not take this step."),
        "deadline": _("The deadline has passed; the change was not made."),
        "reason": _("Please give a reason."),
    }
    return messages.get(code, _("The change was refused."))


@dataclass
class Move:
    """One accepted move, handed to the caller's hooks."""

    source: str
    target: str
    rule: Rule
    actor: Person | None
    reason: str
    now: dt.datetime
    ip: str | None
    data: dict[str, Any]


M = TypeVar("M", bound=models.Model)


def apply(
    machine: Machine,
    obj: M,
    *,
    target: str,
    actor: Person | None,
    actors: Callable[[M], Iterable[str]],
    reason: str = "",
    ip: str | None = None,
    now: dt.datetime | None = None,
    deadline_open: Callable[[M, dt.datetime], bool] | None = None,
    related: tuple[str, ...] = (),
    update: Callable[[M, Move], None] | None = None,
    after: Callable[[M, Move], None] | None = None,
    guard: Callable[[M, str], None] | None = None,
    data: Mapping[str, Any] | None = None,
    refusal_message: Callable[[str, M], str] | None = None,
    journal_target: Callable[[M], models.Model] | None = None,
    state_field: str = "state",
    update_fields: list[str] | None = None,
) -> M:
    """Move `obj` to `target` if `actors(locked)` may, now; the one way a state changes.

    `guard` may refuse a move the table allows, by raising TransitionRefused with its own code
    and message (a conflict declared after the sheet was submitted). `update` sets the move's
    other fields on the locked row before it is saved; `after` runs in the same transaction once
    it is saved (counts, notices queued on commit, events announced). The journal entry names
    `journal_target(locked)` when given (an assignment is journalled on its application).
    """
    now = now or timezone.now()
    reason = reason.strip()
    model = type(obj)
    refused: TransitionRefused | None = None
    with transaction.atomic():
        queryset = model._default_manager.select_for_update()
        if related:
            queryset = queryset.select_related(*related)
        locked = queryset.get(pk=obj.pk)
        current = str(getattr(locked, state_field))
        try:
            found = machine.check(
                current=current,
                target=target,
                actors=actors(locked),
                deadline_open=True if deadline_open is None else deadline_open(locked, now),
                reason=reason,
            )
            if guard is not None:
                guard(locked, target)
        except TransitionRefused as error:
            refused = error
        else:
            move = Move(current, target, found, actor, reason, now, ip, dict(data or {}))
            setattr(locked, state_field, target)
            if update is not None:
                update(locked, move)
            locked.save(update_fields=update_fields)
            if after is not None:
                after(locked, move)
            record(
                action=f"{machine.name}.{found.action}",
                actor=actor,
                target=journal_target(locked) if journal_target else locked,
                data={"from": current, "to": target, "reason": reason, **move.data},
                ip=ip,
            )
    if refused is not None:
        record(
            action=f"{machine.name}.transition_refused",
            actor=actor,
            target=journal_target(locked) if journal_target else locked,
            data={"from": current, "to": target, "code": refused.code},
            ip=ip,
        )
        if refused.code not in REFUSAL_CODES:
            message = refused.message  # a guard's own words
        elif refusal_message is not None:
            message = refusal_message(refused.code, locked)
        else:
            message = default_refusal_message(refused.code)
        raise ServiceError(message, code=refused.code) from refused
    return locked
