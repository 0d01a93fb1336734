"""The application state machine as data, run by the workflow engine (banzu.core.workflow).

Each allowed (from, to) pair names who may make it, whether the edition's deadline must still be
open, and whether a written reason is required. Anything not in the table is refused.
"""

from __future__ import annotations

from enum import StrEnum

from banzu.applications.enums import ApplicationState as S
from banzu.core.workflow import Machine, Rule, TransitionRefused, rule

__all__ = [
    "APPLICATION",
    "READ_ONLY_FOR_OWNER",
    "TRANSITIONS",
    "Actor",
    "TransitionRefused",
    "check",
]


class Actor(StrEnum):
    OWNER = "owner"  # staff of the applying enterprise
    RECOMMENDER = "recommender"  # staff of the application's own recommender
    ADMIN = "admin"  # the provincial association


def _rule(action: str, *actors: Actor, before_deadline: bool = False, reason: bool = False) -> Rule:
    return rule(action, *actors, before_deadline=before_deadline, reason=reason)


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
    # A team that did not present is listed apart in the published results (or given the
    # non-presenters' award), so it is ranked and published with the others.
    (S.SCORED, S.RANKED): _rule("rank", Actor.ADMIN),
    (S.RANKED, S.PUBLISHED): _rule("publish", Actor.ADMIN),
    **{
        (state, S.DISQUALIFIED): _rule("disqualify", Actor.ADMIN, reason=True)
        for state in _AFTER_SUBMISSION
    },
}

READ_ONLY_FOR_OWNER = frozenset(S) - {S.DRAFT}


APPLICATION = Machine("application", TRANSITIONS)
check = APPLICATION.check
