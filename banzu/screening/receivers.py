"""The screening's answers to the earlier stages' hooks (banzu.core.hooks), connected in
ScreeningConfig.ready(): it reacts to new materials and to an arriving batch without those
stages importing it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.core import hooks
from banzu.recommendations.models import Batch
from banzu.screening.jobs import queue_rescan, start_checks
from banzu.screening.models import SimilarityReport


@receiver(hooks.materials_stored, dispatch_uid="screening.rescan_if_screened")
def rescan_if_screened(sender: type, *, application: Application, **kwargs: Any) -> None:
    """New materials of an application already in the plagiarism report: its report alone is
    checked again, in the background, once the upload is committed."""
    if SimilarityReport.objects.filter(application=application).exists():
        queue_rescan(application)


@receiver(hooks.batch_arrived, dispatch_uid="screening.check_on_arrival")
def check_on_arrival(
    sender: type, *, batch: Batch, actor: User, ip: str | None, **kwargs: Any
) -> None:
    """The province's automatic checks run as a batch arrives, in the background, once the
    submission is committed."""
    edition = batch.edition
    transaction.on_commit(lambda: start_checks(edition=edition, user=actor, ip=ip))
