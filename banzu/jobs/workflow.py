"""The job's state machine as data, run by the one workflow engine (banzu.core.workflow).

A user starts a job (the row is created queued, journalled by the kind's start action); every
later move is the worker's: it claims the job, ends it done or failed, and expires a job whose
worker stopped (or queues it again, if its kind is resumable). Each move is journalled as
``job.<action>``.
"""

from __future__ import annotations

from banzu.core.workflow import Machine, rule
from banzu.jobs.enums import Actor
from banzu.jobs.enums import JobState as S

TRANSITIONS = {
    (S.QUEUED, S.RUNNING): rule("start", Actor.SYSTEM),
    (S.RUNNING, S.DONE): rule("finish", Actor.SYSTEM),
    (S.RUNNING, S.FAILED): rule("fail", Actor.SYSTEM),
    # The queue refused the task: the job never ran.
    (S.QUEUED, S.FAILED): rule("fail", Actor.SYSTEM),
    (S.QUEUED, S.EXPIRED): rule("expire", Actor.SYSTEM),
    (S.RUNNING, S.EXPIRED): rule("expire", Actor.SYSTEM),
    # Its worker stopped and the kind is resumable: the job waits for a worker again.
    (S.RUNNING, S.QUEUED): rule("resume", Actor.SYSTEM),
}

JOB = Machine("job", TRANSITIONS, frozenset(S))
