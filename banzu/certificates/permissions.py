"""Who reaches a certificate: the admin any; an applicant those of its own enterprise's teams; a
recommender's staff those of its region. Everyone else gets 404 (journalled)."""

from __future__ import annotations

from django.db.models import QuerySet

from banzu.certificates.models import Certificate
from banzu.core.access import Someone, deny, is_admin, is_applicant, is_recommender_staff
from banzu.jobs.models import Job
from banzu.jobs.permissions import get_job_for_user_or_404


def certificates_for_user(user: Someone) -> QuerySet[Certificate]:
    found = Certificate.objects.select_related("application__team__enterprise", "edition")
    if user is None or not user.is_authenticated:
        return found.none()
    if is_admin(user):
        return found
    enterprise: int | None = getattr(user, "enterprise_id", None)
    recommender: int | None = getattr(user, "recommender_id", None)
    if is_applicant(user) and enterprise is not None:
        return found.filter(application__team__enterprise_id=enterprise)
    if is_recommender_staff(user) and recommender is not None:
        return found.filter(application__recommender_id=recommender)
    return found.none()


def get_certificate_for_user_or_404(
    user: Someone, pk: int, *, ip: str | None = None
) -> Certificate:
    certificate = certificates_for_user(user).filter(pk=pk).first()
    if certificate is None:
        raise deny(user, "certificate", pk, ip=ip)
    return certificate


def get_zip_for_user_or_404(user: Someone, pk: int, *, ip: str | None = None) -> Job:
    from banzu.certificates.jobs import ZIP

    job = get_job_for_user_or_404(user, pk, ip=ip)
    if job.kind != ZIP:
        raise deny(user, "certificates zip", pk, ip=ip)
    return job
