"""The screening's answers to the other stages' hooks (banzu.core.hooks, banzu.editions.signals),
connected in ScreeningConfig.ready(): it reacts to new materials, to an arriving batch and to
an edition's publication without those stages importing it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.dispatch import receiver

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.core import hooks
from banzu.editions.models import Edition
from banzu.editions.signals import edition_published
from banzu.recommendations.models import Batch
from banzu.screening.jobs import queue_rescan, start_archive_published, start_checks
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


@receiver(edition_published, dispatch_uid="screening.archive_published")
def archive_on_publication(sender: Any, *, edition: Edition, by: User, **kwargs: Any) -> None:
    """The published applications' materials join the plagiarism archive for the next editions,
    in the background (the signal is sent once the publication has committed)."""
    start_archive_published(edition=edition, user=by)
