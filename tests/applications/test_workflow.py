"""Every (from, to) pair of the application state machine, through the one transition function."""

from __future__ import annotations

import itertools

import pytest

from banzu.applications.enums import ApplicationState as S
from banzu.applications.models import Application
from banzu.applications.services import transition
from banzu.applications.workflow import TRANSITIONS, Actor, TransitionRefused, check
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from tests.conftest import AFTER_DEADLINE, BEFORE_DEADLINE
from tests.factories import ApplicationFactory

ALL_PAIRS = [(a, b) for a, b in itertools.product(S, S) if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_check_allows_exactly_the_table(current, target):
    rule = TRANSITIONS.get((current, target))
    everyone = {Actor.OWNER, Actor.RECOMMENDER, Actor.ADMIN}
    if rule is None:
        with pytest.raises(TransitionRefused) as refused:
            check(current=current, target=target, actors=everyone, deadline_open=True, reason="r")
        assert refused.value.code == "not_allowed"
    else:
        assert (
            check(current=current, target=target, actors=everyone, deadline_open=True, reason="r")
            is rule
        )


@pytest.mark.parametrize(("pair", "rule"), list(TRANSITIONS.items()))
def test_check_refuses_other_actors(pair, rule):
    others = {Actor.OWNER, Actor.RECOMMENDER, Actor.ADMIN} - rule.actors
    if not others:
        pytest.fail("every rule should exclude someone")
    with pytest.raises(TransitionRefused) as refused:
        check(current=pair[0], target=pair[1], actors=others, deadline_open=True, reason="r")
    assert refused.value.code == "forbidden"


def test_transition_table_is_the_documented_one():
    assert {(a.value, b.value): r.action for (a, b), r in TRANSITIONS.items()} == {
        ("draft", "submitted"): "submit",
        ("submitted", "withdrawn"): "withdraw",
        ("withdrawn", "draft"): "reopen",
        ("submitted", "draft"): "return",
        ("submitted", "not_recommended"): "decline",
        ("submitted", "recommended"): "recommend",
        ("recommended", "screened"): "pass_screening",
        ("recommended", "eliminated"): "eliminate",
        ("screened", "under_review"): "start_review",
        ("under_review", "scored"): "finish_review",
        ("scored", "under_review"): "reopen_review",
        ("scored", "presented"): "record_presentation",
        ("presented", "ranked"): "rank",
        ("scored", "ranked"): "rank",
        ("ranked", "published"): "publish",
        ("submitted", "disqualified"): "disqualify",
        ("recommended", "disqualified"): "disqualify",
        ("screened", "disqualified"): "disqualify",
        ("under_review", "disqualified"): "disqualify",
        ("scored", "disqualified"): "disqualify",
        ("presented", "disqualified"): "disqualify",
        ("ranked", "disqualified"): "disqualify",
    }


def _set_state(application: Application, state: S) -> Application:
    # Test set-up only: place the application in a state without walking the whole path.
    Application.objects.filter(pk=application.pk).update(state=state)
    application.refresh_from_db()
    return application


def _actor_user(actor: Actor, application, admin_user, recommender_hz):
    if actor is Actor.OWNER:
        return application.created_by
    if actor is Actor.RECOMMENDER:
        return recommender_hz
    return admin_user


@pytest.mark.django_db
@pytest.mark.parametrize(("pair", "rule"), list(TRANSITIONS.items()))
def test_transition_moves_state_and_writes_audit(pair, rule, admin_user, recommender_hz):
    application = _set_state(ApplicationFactory(), pair[0])
    actor = _actor_user(sorted(rule.actors)[0], application, admin_user, recommender_hz)
    before = AuditEntry.objects.count()

    result = transition(application, to=pair[1], actor=actor, reason="理由", now=BEFORE_DEADLINE)

    assert result.state == pair[1]
    assert result.state_reason == "理由"
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.actor_id, entry.data["from"], entry.data["to"]) == (
        f"application.{rule.action}",
        actor.pk,
        pair[0].value,
        pair[1].value,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("current", "target"), [p for p in ALL_PAIRS if p not in TRANSITIONS])
def test_transition_refuses_pairs_outside_the_table(current, target, admin_user):
    application = _set_state(ApplicationFactory(), current)

    with pytest.raises(ServiceError) as refused:
        transition(application, to=target, actor=admin_user, reason="x", now=BEFORE_DEADLINE)

    assert refused.value.code == "not_allowed"
    application.refresh_from_db()
    assert application.state == current
    assert AuditEntry.objects.order_by("-seq").first().action == "application.transition_refused"


@pytest.mark.django_db
def test_transition_submit_after_deadline_is_refused_on_the_server():
    application = ApplicationFactory()

    with pytest.raises(ServiceError) as refused:
        transition(application, to=S.SUBMITTED, actor=application.created_by, now=AFTER_DEADLINE)

    assert refused.value.code == "deadline"
    application.refresh_from_db()
    assert application.state == S.DRAFT


@pytest.mark.django_db
def test_transition_return_without_reason_is_refused(recommender_hz):
    application = _set_state(ApplicationFactory(), S.SUBMITTED)

    with pytest.raises(ServiceError) as refused:
        transition(application, to=S.DRAFT, actor=recommender_hz, reason="  ", now=BEFORE_DEADLINE)

    assert refused.value.code == "reason"


@pytest.mark.django_db
def test_transition_by_other_recommender_is_forbidden(recommender_nb):
    application = _set_state(ApplicationFactory(), S.SUBMITTED)

    with pytest.raises(ServiceError) as refused:
        transition(application, to=S.DRAFT, actor=recommender_nb, reason="r", now=BEFORE_DEADLINE)

    assert refused.value.code == "forbidden"
