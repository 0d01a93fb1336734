from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, Q

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.recommendations.models import Batch
from banzu.review.models import Assignment
from banzu.scoring.models import ScoreSheet, SheetVersion

# The whole demo, built through the services: its own step of `make pytest`.
pytestmark = pytest.mark.demo


@pytest.mark.django_db
def test_demo_loader_builds_valid_data_through_the_services(
    capsys, settings, django_capture_on_commit_callbacks
):
    settings.DEBUG = True
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")

    out = capsys.readouterr().out
    assert "applicant" in out
    assert "banzu-demo" in out
    states = Counter(Application.objects.values_list("state", flat=True))
    assert sum(states.values()) == 40
    assert set(states) == {
        "draft",
        "submitted",
        "withdrawn",
        "recommended",
        "not_recommended",
        "under_review",
    }
    assert states["under_review"] == 4
    batches = dict(Batch.objects.values_list("recommender__short_name", "state"))
    assert (batches["宁波"], batches["温州"], batches["杭州"]) == ("submitted", "submitted", "open")
    assert Application.objects.filter(state="draft", state_reason__contains="盖章").count() == 1
    assert sorted(
        Application.objects.filter(recommender__short_name="杭州", state="recommended").values_list(
            "recommendation_number", flat=True
        )
    ) == ["杭-2026-001", "杭-2026-002"]
    assert Application.objects.values("recommender").distinct().count() == 12
    logins = {u.username: u for u in User.objects.filter(is_demo=True)}
    for username, role in [
        ("admin", "admin"),
        ("recommender", "recommender"),
        ("applicant", "applicant"),
        ("expert", "expert"),
    ]:
        assert logins[username].role == role
        assert logins[username].check_password("banzu-demo")
    assert logins["recommender"].recommender.short_name == "杭州"
    submitted = Application.objects.filter(state="submitted").first()
    assert submitted.documents.filter(superseded_at__isnull=True).count() == 4

    subjects = Counter(m.subject.split("：")[0] for m in mail.outbox)
    assert subjects == {
        "推荐批次已提交": 2,
        "申报已获推荐": 6,
        "申报已被退回": 1,
        "申报未获推荐": 1,
        "评审任务": 13,  # each expert once for the automatic run, and once per addition by hand
        "专家申报利益冲突": 1,
        "评分表已退回重评": 1,
    }

    _assert_review_demo()

    call_command("load_demo")  # a second run changes nothing
    assert Application.objects.count() == 40
    call_command("verify_audit")


def _assert_review_demo():
    """Experts, assignments and sheets in every state."""
    expert = User.objects.get(username="expert")
    assert expert.expert_profile.specialities == ["房屋建筑工程", "市政公用工程"]
    assert User.objects.filter(role="expert", is_demo=True).count() == 8
    assert set(Assignment.objects.values_list("state", flat=True)) == {
        "pending",
        "confirmed",
        "conflict",
    }
    mine = Counter(Assignment.objects.filter(expert=expert).values_list("state", flat=True))
    assert mine == {"pending": 1, "confirmed": 3}
    assert Counter(
        ScoreSheet.objects.filter(scorer=expert, stage="materials").values_list("state", flat=True)
    ) == {"draft": 1, "submitted": 1}
    assert SheetVersion.objects.count() == 1
    five = Application.objects.annotate(
        n=Count(
            "score_sheets",
            filter=Q(score_sheets__state="submitted", score_sheets__stage="materials"),
        )
    ).filter(n=5)
    assert five.count() == 1
