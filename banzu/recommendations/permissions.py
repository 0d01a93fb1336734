"""Who may reach the recommender stage's pages and objects: a recommender's staff their own
recommender (another city's is 404), the provincial admin any; applicants and experts none.
Every object is fetched through these helpers, and every refusal is journalled (core.access)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.applications.models import Application
from banzu.applications.permissions import get_application_for_user_or_404
from banzu.core.access import deny, is_admin
from banzu.jobs.models import Job
from banzu.jobs.permissions import get_job_for_user_or_404
from banzu.recommendations import jobs
from banzu.recommendations.models import StampedCopy


def recommender_for_user_or_404(
    user: User | AnonymousUser, recommender_pk: Any = None
) -> Recommender:
    """Staff get their own recommender (another's pk is 404); the admin names one by pk."""
    if not user.is_authenticated:
        raise Http404
    if user.role == Role.RECOMMENDER and user.recommender is not None:
        if recommender_pk is not None and str(recommender_pk) != str(user.recommender_id):
            raise deny(user, "recommender", recommender_pk)  # another city's
        return user.recommender
    if is_admin(user) and recommender_pk is not None:
        recommender = Recommender.objects.filter(pk=recommender_pk).first()
        if recommender is None:
            raise Http404
        return recommender
    # Applicants and experts have no recommender: the pages are outside their scope.
    raise deny(user, "recommender", recommender_pk or "")


def get_reviewable_application_or_404(
    user: User | AnonymousUser, pk: Any, *, ip: str | None = None
) -> Application:
    """An application as its recommender's staff (or the admin) works on it; 404 elsewhere."""
    if getattr(user, "role", None) not in (Role.RECOMMENDER, Role.ADMIN):
        # Applicants and experts have no recommender pages at all, even for their own work.
        raise deny(user, "recommender application", pk, ip=ip)
    return get_application_for_user_or_404(user, pk, ip=ip)


def package_recommender_for_user_or_404(
    user: User, recommender_pk: int, *, ip: str | None = None
) -> Recommender:
    """The recommender whose package the user may build and fetch; 404 outside that scope."""
    if not jobs.may_see_package(user, recommender_pk):
        raise deny(user, "package recommender", recommender_pk, ip=ip)
    recommender = Recommender.objects.filter(pk=recommender_pk).first()
    if recommender is None:
        raise Http404
    return recommender


def package_build_for_user_or_404(user: User, pk: int, *, ip: str | None = None) -> Job:
    build = get_job_for_user_or_404(user, pk, ip=ip)
    if build.kind != jobs.PACKAGE:
        raise deny(user, "package", pk, ip=ip)
    return build


def get_stamped_copy_for_user_or_404(
    user: User | AnonymousUser, pk: Any, *, ip: str | None = None
) -> StampedCopy:
    """A stamped scan, for its recommender's staff and the admin (read); 404 for anyone else."""
    copy = StampedCopy.objects.select_related("batch", "application").filter(pk=pk).first()
    if copy is None:
        raise deny(user, "stamped copy", pk, ip=ip)
    recommender_for_user_or_404(user, copy.batch.recommender_id)
    return copy
