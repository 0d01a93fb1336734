"""Every (from, to) pair of the batch state machine, through transition_batch."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import translation

from banzu.applications.workflow import Actor
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.recommendations.enums import BatchState as B
from banzu.recommendations.models import Batch
from banzu.recommendations.services import batch_for, transition_batch
from banzu.recommendations.workflow import BATCH_TRANSITIONS
from tests.conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALL_PAIRS = list(itertools.product(B, B))
OUTSIDE_TABLE = [pair for pair in ALL_PAIRS if pair not in BATCH_TRANSITIONS]


@pytest.fixture
def batch(edition, hangzhou) -> Batch:
    return batch_for(edition, hangzhou)


def _in_state(batch: Batch, state: B, recommender_staff) -> Batch:
    if state == B.SUBMITTED:
        return transition_batch(batch, to=B.SUBMITTED, actor=recommender_staff, now=BEFORE_DEADLINE)
    return batch


def _last_entry() -> AuditEntry:
    return AuditEntry.objects.order_by("-seq").first()


def test_batch_table_is_the_documented_one():
    assert {
        (a.value, b.value): (r.action, sorted(r.actors), r.before_deadline, r.needs_reason)
        for (a, b), r in BATCH_TRANSITIONS.items()
    } == {
        ("open", "submitted"): ("submit", [Actor.RECOMMENDER], True, False),
        ("submitted", "open"): ("reopen", [Actor.ADMIN], False, True),
    }
    assert OUTSIDE_TABLE == [(B.OPEN, B.OPEN), (B.SUBMITTED, B.SUBMITTED)]


@pytest.mark.parametrize(("pair", "rule"), list(BATCH_TRANSITIONS.items()))
def test_transition_batch_moves_state_and_writes_audit(
    pair, rule, batch, recommender_hz, admin_user
):
    batch = _in_state(batch, pair[0], recommender_hz)
    actor = recommender_hz if Actor.RECOMMENDER in rule.actors else admin_user
    before = AuditEntry.objects.count()

    result = transition_batch(
        batch, to=pair[1], actor=actor, reason="补充材料", now=BEFORE_DEADLINE
    )

    batch.refresh_from_db()
    assert (result.state, batch.state) == (pair[1], pair[1])
    assert AuditEntry.objects.count() == before + 1
    entry = _last_entry()
    assert (
        entry.action,
        entry.actor_id,
        entry.target_type,
        entry.target_id,
        entry.data,
    ) == (
        f"batch.{rule.action}",
        actor.pk,
        "recommendations.batch",
        batch.pk,
        {"from": pair[0].value, "to": pair[1].value, "reason": "补充材料"},
    )


def test_submit_records_time_and_person(batch, recommender_hz):
    transition_batch(batch, to=B.SUBMITTED, actor=recommender_hz, now=BEFORE_DEADLINE)

    batch.refresh_from_db()
    assert (batch.state, batch.submitted_at, batch.submitted_by) == (
        B.SUBMITTED,
        BEFORE_DEADLINE,
        recommender_hz,
    )


def test_reopen_records_time_and_reason(batch, recommender_hz, admin_user):
    _in_state(batch, B.SUBMITTED, recommender_hz)

    transition_batch(batch, to=B.OPEN, actor=admin_user, reason=" 漏报一项 ", now=AFTER_DEADLINE)

    batch.refresh_from_db()
    assert (batch.state, batch.reopened_at, batch.reopen_reason) == (
        B.OPEN,
        AFTER_DEADLINE,
        "漏报一项",
    )


@pytest.mark.parametrize(("current", "target"), OUTSIDE_TABLE)
@pytest.mark.parametrize("persona", ["recommender_hz", "admin_user"])
def test_transition_batch_refuses_pairs_outside_the_table(
    request, current, target, persona, batch, recommender_hz
):
    batch = _in_state(batch, current, recommender_hz)
    actor = request.getfixturevalue(persona)

    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=target, actor=actor, reason="r", now=BEFORE_DEADLINE)

    assert refused.value.code == "not_allowed"
    batch.refresh_from_db()
    assert batch.state == current
    assert (_last_entry().action, _last_entry().data) == (
        "batch.transition_refused",
        {"from": current.value, "to": target.value, "code": "not_allowed"},
    )


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_nb", "admin_user", "expert"])
def test_submit_by_anyone_but_the_recommenders_staff_is_forbidden(request, persona, batch):
    actor = request.getfixturevalue(persona)

    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.SUBMITTED, actor=actor, now=BEFORE_DEADLINE)

    assert refused.value.code == "forbidden"
    batch.refresh_from_db()
    assert (batch.state, batch.submitted_at) == (B.OPEN, None)
    assert (_last_entry().action, _last_entry().actor_id) == ("batch.transition_refused", actor.pk)


def test_submit_by_anonymous_is_forbidden(batch):
    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.SUBMITTED, actor=AnonymousUser(), now=BEFORE_DEADLINE)

    assert refused.value.code == "forbidden"


def test_submit_by_inactive_staff_is_forbidden(batch, hangzhou):
    gone = UserFactory(role="recommender", recommender=hangzhou, is_active=False)

    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.SUBMITTED, actor=gone, now=BEFORE_DEADLINE)

    assert refused.value.code == "forbidden"


@pytest.mark.parametrize("persona", ["applicant_a", "recommender_hz", "recommender_nb", "expert"])
def test_reopen_by_anyone_but_the_admin_is_forbidden(request, persona, batch, recommender_hz):
    _in_state(batch, B.SUBMITTED, recommender_hz)
    actor = request.getfixturevalue(persona)

    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.OPEN, actor=actor, reason="r", now=BEFORE_DEADLINE)

    assert refused.value.code == "forbidden"
    batch.refresh_from_db()
    assert (batch.state, batch.reopened_at) == (B.SUBMITTED, None)


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopen_without_reason_is_refused(reason, batch, recommender_hz, admin_user):
    _in_state(batch, B.SUBMITTED, recommender_hz)

    with translation.override("en"), pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.OPEN, actor=admin_user, reason=reason)

    assert (refused.value.code, refused.value.message) == ("reason", "Please give a reason.")
    batch.refresh_from_db()
    assert batch.state == B.SUBMITTED


def test_submit_after_the_deadline_is_refused_with_a_clear_message(batch, recommender_hz):
    with translation.override("en"), pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.SUBMITTED, actor=recommender_hz, now=AFTER_DEADLINE)

    assert (refused.value.code, refused.value.message) == (
        "deadline",
        "The recommendation deadline (2026-04-27 23:59) has passed; the batch can no longer "
        "be submitted. Please contact the provincial association.",
    )
    batch.refresh_from_db()
    assert (batch.state, batch.submitted_at) == (B.OPEN, None)


def test_submit_now_with_the_seeded_deadline_passed_is_refused(batch, recommender_hz):
    # The `edition` fixture keeps the real 2026-04-27 deadline, which has passed.
    with pytest.raises(ServiceError) as refused:
        transition_batch(batch, to=B.SUBMITTED, actor=recommender_hz)

    assert refused.value.code == "deadline"


def test_batch_reopened_by_the_admin_may_be_resubmitted_after_the_deadline(
    batch, recommender_hz, admin_user
):
    _in_state(batch, B.SUBMITTED, recommender_hz)
    transition_batch(batch, to=B.OPEN, actor=admin_user, reason="补报", now=AFTER_DEADLINE)

    result = transition_batch(batch, to=B.SUBMITTED, actor=recommender_hz, now=AFTER_DEADLINE)

    assert (result.state, result.submitted_at) == (B.SUBMITTED, AFTER_DEADLINE)
    assert list(
        AuditEntry.objects.filter(target_type="recommendations.batch", target_id=batch.pk)
        .order_by("seq")
        .values_list("action", flat=True)
    ) == ["batch.submit", "batch.reopen", "batch.submit"]


def test_submitting_mails_the_active_admins_after_commit(
    batch, recommender_hz, admin_user, django_capture_on_commit_callbacks
):
    UserFactory(username="old_admin", role="admin", is_active=False)
    UserFactory(username="admin_2", role="admin")

    with django_capture_on_commit_callbacks(execute=True):
        transition_batch(batch, to=B.SUBMITTED, actor=recommender_hz, now=BEFORE_DEADLINE)

    assert [sorted(m.to) for m in mail.outbox] == [
        ["admin_2@example.com", "prov_admin@example.com"]
    ]
    assert "杭州市建筑业协会" in mail.outbox[0].subject
    assert "杭州市建筑业协会" in mail.outbox[0].body
    assert "2026" in mail.outbox[0].body


def test_refused_submission_mails_nobody(
    batch, recommender_nb, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ServiceError):
        transition_batch(batch, to=B.SUBMITTED, actor=recommender_nb, now=BEFORE_DEADLINE)

    assert mail.outbox == []


def test_reopening_mails_nobody(
    batch, recommender_hz, admin_user, django_capture_on_commit_callbacks
):
    _in_state(batch, B.SUBMITTED, recommender_hz)

    with django_capture_on_commit_callbacks(execute=True):
        transition_batch(batch, to=B.OPEN, actor=admin_user, reason="r", now=BEFORE_DEADLINE)

    assert mail.outbox == []
