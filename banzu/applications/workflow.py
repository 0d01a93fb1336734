"""The application state machine as data, without Django.

Each allowed (from, to) pair names who may make it, whether the edition's deadline must still be
open, and whether a written reason is required. Anything not in the table is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from banzu.applications.enums import ApplicationState as S


class Actor(StrEnum):
    OWNER = "owner"  # staff of the applying enterprise
    RECOMMENDER = "recommender"  # staff of the application's own recommender
    ADMIN = "admin"  # the provincial association


@dataclass(frozen=True)
class Rule:
    actors: frozenset[Actor]
    action: str
    before_deadline: bool = False
    needs_reason: bool = False


def _rule(action: str, *actors: Actor, before_deadline: bool = False, reason: bool = False) -> Rule:
    return Rule(frozenset(actors), action, before_deadline, reason)


_AFTER_SUBMISSION = (
    S.SUBMITTED,
    S.RECOMMENDED,
    S.SCREENED,
    S.UNDER_REVIEW,
    S.SCORED,
    S.PRESENTED,
    S.RANKED,
)

TRANSITIONS: dict[tuple[S, S], Rule] = {
    (S.DRAFT, S.SUBMITTED): _rule("submit", Actor.OWNER, before_deadline=True),
    (S.SUBMITTED, S.WITHDRAWN): _rule("withdraw", Actor.OWNER),
    (S.WITHDRAWN, S.DRAFT): _rule("reopen", Actor.OWNER, before_deadline=True),
    (S.SUBMITTED, S.DRAFT): _rule("return", Actor.RECOMMENDER, Actor.ADMIN, reason=True),
    (S.SUBMITTED, S.NOT_RECOMMENDED): _rule("decline", Actor.RECOMMENDER, Actor.ADMIN, reason=True),
    (S.SUBMITTED, S.RECOMMENDED): _rule("recommend", Actor.RECOMMENDER, Actor.ADMIN),
    (S.RECOMMENDED, S.SCREENED): _rule("pass_screening", Actor.ADMIN),
    (S.RECOMMENDED, S.ELIMINATED): _rule("eliminate", Actor.ADMIN, reason=True),
    (S.SCREENED, S.UNDER_REVIEW): _rule("start_review", Actor.ADMIN),
    (S.UNDER_REVIEW, S.SCORED): _rule("finish_review", Actor.ADMIN),
    # An expert's sheet reopened after the review was closed takes the application back.
    (S.SCORED, S.UNDER_REVIEW): _rule("reopen_review", Actor.ADMIN, reason=True),
    (S.SCORED, S.PRESENTED): _rule("record_presentation", Actor.ADMIN),
    (S.PRESENTED, S.RANKED): _rule("rank", Actor.ADMIN),
    (S.RANKED, S.PUBLISHED): _rule("publish", Actor.ADMIN),
    **{
        (state, S.DISQUALIFIED): _rule("disqualify", Actor.ADMIN, reason=True)
        for state in _AFTER_SUBMISSION
    },
}

READ_ONLY_FOR_OWNER = frozenset(S) - {S.DRAFT}


class TransitionRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check(
    *,
    current: StrEnum,
    target: StrEnum,
    actors: set[Actor],
    deadline_open: bool,
    reason: str,
    table: Mapping[Any, Rule] | None = None,
) -> Rule:
    """Return the rule that allows this move, or raise TransitionRefused saying why not."""
    rules: Mapping[Any, Rule] = TRANSITIONS if table is None else table
    rule = rules.get((current, target))
    if rule is None:
        raise TransitionRefused("not_allowed", f"Cannot go from {current} to {target}.")
    if not rule.actors & actors:
        raise TransitionRefused("forbidden", "You may not make this change.")
    if rule.before_deadline and not deadline_open:
        raise TransitionRefused("deadline", "The deadline has passed.")
    if rule.needs_reason and not reason.strip():
        raise TransitionRefused("reason", "A reason is required.")
    return rule
