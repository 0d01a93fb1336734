from __future__ import annotations

from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.audit.models import AuditEntry
from banzu.editions.models import Edition
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
    current = Application.objects.filter(edition__year=2026)
    states = Counter(current.values_list("state", flat=True))
    assert sum(states.values()) == 40 + 10  # and the ten teams of the event (banzu/demo/event.py)
    assert set(states) == {
        "draft",
        "submitted",
        "withdrawn",
        "recommended",
        "not_recommended",
        "under_review",
        "scored",
    }
    assert states["under_review"] == 4
    assert states["scored"] == 10
    batches = dict(
        Batch.objects.filter(edition__year=2026).values_list("recommender__short_name", "state")
    )
    assert (batches["宁波"], batches["温州"], batches["杭州"]) == ("submitted", "submitted", "open")
    assert Application.objects.filter(state="draft", state_reason__contains="盖章").count() == 1
    assert sorted(
        Application.objects.filter(recommender__short_name="杭州", state="recommended").values_list(
            "recommendation_number", flat=True
        )
    ) == ["杭-2026-001", "杭-2026-002"]
    assert current.values("recommender").distinct().count() == 12
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

    # Each submission's receipt (issue 17, item 11), one per submission in the journal.
    with translation.override("zh-hans"):
        receipt = gettext("Application received: %(team)s").split("%(team)s")[0]
    receipts = [m for m in mail.outbox if m.subject.startswith(receipt)]
    assert len(receipts) == AuditEntry.objects.filter(action="application.submit").count()
    assert len(receipts) > 0
    subjects = Counter(
        m.subject.split("：")[0] for m in mail.outbox if not m.subject.startswith(receipt)
    )
    assert subjects == {
        # 2026, the six batches of the event's teams, and 2025's three batches
        "推荐批次已提交": 2 + 6 + 3,
        "申报已获推荐": 6 + 10 + 5,
        "申报已被退回": 1,
        "申报未获推荐": 1,
        # Each expert once for the automatic run, and once per addition by hand, in 2026;
        # each of the event's ten teams' three experts; and each of the eight experts of
        # 2025's run once; less one since 赵国强 of 温州市建筑业协会 is conflicted with 温州's
        # applications (issue 17, item 7).
        "评审任务": 13 + 30 + 8 - 1,
        "专家申报利益冲突": 1,
        "评分表已退回重评": 1,
        # 2025's results (banzu/demo/results.py): each presenting team its drawn position, the
        # listed teams' staff and their recommenders the publicity, the objector the receipt.
        "发布顺序抽签结果": 5,
        "2025年度评审结果公示": 2,
        "您的异议已收到": 1,
    }

    _assert_review_demo()
    _assert_past_edition()

    call_command("load_demo")  # a second run changes nothing
    assert Application.objects.count() == 55
    call_command("verify_audit")


def _assert_review_demo():
    """Experts, assignments and sheets in every state."""
    expert = User.objects.get(username="expert")
    assert expert.expert_profile.specialities == ["房屋建筑工程", "市政公用工程"]
    assert User.objects.filter(role="expert", is_demo=True).count() == 8 + 2  # two for the event
    assert set(Assignment.objects.values_list("state", flat=True)) == {
        "pending",
        "confirmed",
        "conflict",
    }
    mine = Counter(
        Assignment.objects.filter(expert=expert, application__edition__year=2026).values_list(
            "state", flat=True
        )
    )
    assert mine == {"pending": 1, "confirmed": 3}
    assert Counter(
        ScoreSheet.objects.filter(
            scorer=expert, stage="materials", application__edition__year=2026
        ).values_list("state", flat=True)
    ) == {"draft": 1, "submitted": 1}
    assert SheetVersion.objects.count() == 1
    five = (
        Application.objects.filter(edition__year=2026)
        .annotate(
            n=Count(
                "score_sheets",
                filter=Q(score_sheets__state="submitted", score_sheets__stage="materials"),
            )
        )
        .filter(n=5)
    )
    assert five.count() == 1


def _assert_past_edition():
    """2025 sits beside 2026: recommended, screened, scored and presented (its results in
    publicity: tests/demo/test_results_demo.py), its batches submitted."""
    past = Application.objects.filter(edition__year=2025)
    assert Counter(past.values_list("state", flat=True)) == {"presented": 5}
    assert sorted(past.values_list("recommendation_number", flat=True)) == [
        "杭-2025-001",
        "杭-2025-002",
        "温-2025-001",
        "甬-2025-001",
        "甬-2025-002",
    ]
    assert set(
        Batch.objects.filter(edition__year=2025).values_list("recommender__short_name", "state")
    ) == {("杭州", "submitted"), ("宁波", "submitted"), ("温州", "submitted")}
    assert list(
        Assignment.objects.filter(application__edition__year=2025)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
        .distinct()
    ) == [3]
    assert (
        Assignment.objects.filter(application__edition__year=2025)
        .values("expert")
        .distinct()
        .count()
    ) == 8
    assert (
        ScoreSheet.objects.filter(application__edition__year=2025, stage="materials")
        .exclude(state="submitted")
        .count()
    ) == 0
    assert list(Edition.objects.order_by("year").values_list("year", "is_active")) == [
        (2025, False),
        (2026, True),
    ]
