"""The stamped copies the notice expects from a recommender (盖章件): the scan of its batch's
Attachment 2 and, for each application it recommended, the scan of Attachment 1 stamped by the
enterprise and by the recommender (the generated form carries the recommendation number).

Uploads are checked and stored like the applicants' files (banzu.uploads.validation, the private
file store, the SHA-256 kept), one scan current per slot, earlier ones kept as superseded. The
package uses the current scans and lists the missing ones; submitting a batch with some missing
is allowed (an association may send paper) but warned about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.applications.services import store_checked_upload
from banzu.audit import actions
from banzu.audit.services import record
from banzu.core import filestore
from banzu.core.access import is_recommender_staff
from banzu.core.errors import ServiceError
from banzu.recommendations.enums import BatchState, StampedKind
from banzu.recommendations.models import Batch, StampedCopy
from banzu.uploads.validation import FileKind, Limits

actions.register("stamped.upload", "stamped.rejected", "stamped.download")

# Their names in the package (and in its list of what is missing).
ATTACHMENT2_NAME = "附件2（盖章）.pdf"
ATTACHMENT1_NAME = "附件1（盖章）.pdf"
MISSING_NAME = "缺少盖章件.txt"


def stamped_limits() -> Limits:
    return Limits(max_bytes=settings.BANZU_UPLOAD_LIMITS_MB[FileKind.PDF.value] * 1024 * 1024)


# --- Reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StampedSlot:
    """One stamped copy a batch should have: Attachment 2 (`application_pk` None) or one
    recommended application's Attachment 1, with its current scan if any."""

    kind: StampedKind
    application_pk: int | None
    recommendation_number: str
    team_name: str
    current: StampedCopy | None


class Recommended(Protocol):
    """An application as Attachment 2 lists it (its row, or the application itself)."""

    @property
    def application_pk(self) -> int: ...
    @property
    def recommendation_number(self) -> str: ...
    @property
    def team_name(self) -> str: ...


def current_copies(batch: Batch) -> dict[int | None, StampedCopy]:
    """The batch's current scans by application pk (None: Attachment 2), in one query."""
    return {
        copy.application_id: copy
        for copy in StampedCopy.objects.filter(batch=batch, superseded_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("pk")
    }


def stamped_slots(batch: Batch, rows: Sequence[Recommended]) -> list[StampedSlot]:
    """Attachment 2's slot, then one per recommended application in Attachment 2's order."""
    copies = current_copies(batch)
    return [
        StampedSlot(StampedKind.ATTACHMENT2, None, "", "", copies.get(None)),
        *(
            StampedSlot(
                StampedKind.ATTACHMENT1,
                row.application_pk,
                row.recommendation_number,
                row.team_name,
                copies.get(row.application_pk),
            )
            for row in rows
        ),
    ]


def missing_lines(stamped: Sequence[StampedSlot]) -> list[str]:
    """What is missing, a line each, as the package's list and the batch page name it."""
    return [
        ATTACHMENT2_NAME
        if slot.application_pk is None
        else f"{slot.recommendation_number} {slot.team_name}：{ATTACHMENT1_NAME}"
        for slot in stamped
        if slot.current is None
    ]


# --- Writes -----------------------------------------------------------------------------------


def _stampable(application: Application, batch: Batch) -> bool:
    return (
        application.recommender_id == batch.recommender_id
        and application.edition_id == batch.edition_id
        and application.state == ApplicationState.RECOMMENDED
        and bool(application.recommendation_number)
    )


def _check_may_upload(batch: Batch, user: User, application: Application | None) -> None:
    if not (is_recommender_staff(user) and user.recommender_id == batch.recommender_id):
        raise ServiceError(
            _("Only the recommender's staff upload its stamped copies."), code="forbidden"
        )
    if batch.state != BatchState.OPEN:
        raise ServiceError(
            _(
                "The batch has been submitted to the province; its stamped copies can no longer "
                "change unless the provincial admin reopens it."
            ),
            code="batch_locked",
        )
    if application is not None and not _stampable(application, batch):
        raise ServiceError(
            _("Only an application this recommender recommended takes a stamped Attachment 1."),
            code="not_recommended",
        )


def upload_stamped_copy(
    *,
    batch: Batch,
    user: User,
    upload: UploadedFile,
    application: Application | None = None,
    ip: str | None = None,
) -> StampedCopy:
    """Check and store a scan of Attachment 2 (no `application`) or of `application`'s
    Attachment 1; the slot's earlier scan is kept but superseded."""
    kind = StampedKind.ATTACHMENT2 if application is None else StampedKind.ATTACHMENT1
    target = batch if application is None else application
    _check_may_upload(batch, user, application)
    checked, stored_name = store_checked_upload(
        upload,
        expected={FileKind.PDF},
        limits=stamped_limits(),
        user=user,
        target=target,
        kind=kind,
        rejected_action="stamped.rejected",
        ip=ip,
    )
    try:
        with transaction.atomic():
            # The check takes seconds: the batch may have been submitted meanwhile.
            locked = Batch.objects.select_for_update().get(pk=batch.pk)
            if application is not None:
                application.refresh_from_db()
            _check_may_upload(locked, user, application)
            StampedCopy.objects.filter(
                batch=locked, kind=kind, application=application, superseded_at__isnull=True
            ).update(superseded_at=timezone.now())
            copy = StampedCopy(
                batch=locked,
                kind=kind,
                application=application,
                original_name=checked.safe_name,
                stored_name=stored_name,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_by=user,
            )
            copy.full_clean()
            copy.save()
            record(
                action="stamped.upload",
                actor=user,
                target=target,
                data={"kind": kind, "copy": copy.pk, "sha256": checked.sha256},
                ip=ip,
            )
    except Exception:
        filestore.discard(filestore.path_for(stored_name))
        raise
    return copy


def open_stamped_copy(*, copy: StampedCopy, user: User, ip: str | None = None) -> Path:
    """The scan's path to serve, journalled; a file whose bytes changed is refused."""
    record(
        action="stamped.download",
        actor=user,
        target=copy.application or copy.batch,
        data={"kind": copy.kind, "copy": copy.pk},
        ip=ip,
    )
    return filestore.verified_path(copy.stored_name, copy.sha256)
