"""Mail goes out through the task queue after the commit, and never breaks the request."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from banzu.core import outbox
from banzu.recommendations import services

pytestmark = pytest.mark.django_db


def test_return_mails_the_applicant_after_commit(
    submitted, recommender_hz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.return_application(application=submitted, actor=recommender_hz, reason="缺少盖章")
        assert mail.outbox == []  # nothing is sent inside the transaction

    for callback in callbacks:
        callback()

    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([submitted.created_by.email], f"申报已被退回：{submitted.team.name}")
    ]
    assert "缺少盖章" in mail.outbox[0].body


def test_recommend_mail_names_the_number(
    submitted, recommender_hz, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.recommend_application(application=submitted, actor=recommender_hz)

    assert "杭-2026-001" in mail.outbox[0].body


# The worker checks and closes connections as a real process would: it needs real commits.
@pytest.mark.django_db(transaction=True)
def test_mail_waits_in_the_database_queue_until_the_worker_sends_it(
    submitted, recommender_hz, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    mail.outbox.clear()  # the submission's own receipt, if any, is not what this test is about
    services.decline_application(application=submitted, actor=recommender_hz, reason="名额有限")
    assert mail.outbox == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--interval", "0", verbosity=0)

    assert [m.to for m in mail.outbox] == [[submitted.created_by.email]]


def test_broken_queue_does_not_break_the_action(
    submitted, recommender_hz, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    class BrokenTask:
        def enqueue(self, *args):
            raise ConnectionError("queue down")

    monkeypatch.setattr(outbox, "send_notice", BrokenTask())
    with django_capture_on_commit_callbacks(execute=True):
        result = services.return_application(
            application=submitted, actor=recommender_hz, reason="请补充材料"
        )

    result.refresh_from_db()
    assert result.state == "draft"
    assert "could not queue a notice" in caplog.text
