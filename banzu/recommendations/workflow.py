"""The batch state machine as data: a recommender submits its batch; only the admin reopens."""

from __future__ import annotations

from banzu.applications.workflow import Actor
from banzu.core.workflow import Machine, Rule, rule
from banzu.recommendations.enums import BatchState as B

BATCH_TRANSITIONS: dict[tuple[B, B], Rule] = {
    (B.OPEN, B.SUBMITTED): rule("submit", Actor.RECOMMENDER, before_deadline=True),
    (B.SUBMITTED, B.OPEN): rule("reopen", Actor.ADMIN, reason=True),
}

BATCH = Machine("batch", BATCH_TRANSITIONS)
