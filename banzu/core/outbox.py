"""The mail outbox: a message is queued as a background task once the transaction commits, and
sent by the worker, so a failing mail server never touches the request that caused it."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def send_notice(recipients: list[str], subject: str, body: str) -> int:
    """Runs in the worker. Failing here never touches the request that queued it."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def queue(recipients: Iterable[str], subject: str, body: str) -> None:
    wanted = sorted({r for r in recipients if r})
    if not wanted:
        return

    def enqueue() -> None:
        try:
            send_notice.enqueue(wanted, subject, body)
        except Exception:  # a broken queue must not break the request that already committed
            logger.exception("could not queue a notice to %s", wanted)

    transaction.on_commit(enqueue)
