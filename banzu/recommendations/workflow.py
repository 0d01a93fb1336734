"""The batch state machine as data: a recommender submits its batch; only the admin reopens."""

from __future__ import annotations

from banzu.applications.workflow import Actor, Rule
from banzu.recommendations.enums import BatchState as B

BATCH_TRANSITIONS: dict[tuple[B, B], Rule] = {
    (B.OPEN, B.SUBMITTED): Rule(frozenset({Actor.RECOMMENDER}), "submit", before_deadline=True),
    (B.SUBMITTED, B.OPEN): Rule(frozenset({Actor.ADMIN}), "reopen", needs_reason=True),
}
