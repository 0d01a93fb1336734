"""Who may see and change an application: the one place these predicates live.

Objects are fetched only through the `get_*_for_user_or_404` helpers below. Outside a user's scope
the answer is 404 (the object does not exist for them); in scope but read-only it is 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application, Document
from banzu.applications.workflow import Actor
from banzu.core.access import deny, is_admin


def visible_applications(user: User | AnonymousUser) -> QuerySet[Application]:
    """Every application the user may read, and nothing else."""
    base = Application.objects.select_related("edition", "team", "team__enterprise", "recommender")
    if not user.is_authenticated or not user.is_active:
        return base.none()
    if is_admin(user):
        return base.all()
    if user.role == Role.RECOMMENDER and user.recommender_id is not None:
        # A recommender sees what was submitted to it; an applicant's draft is private.
        return base.filter(recommender_id=user.recommender_id).exclude(
            state=ApplicationState.DRAFT, submitted_at__isnull=True
        )
    if user.role == Role.APPLICANT and user.enterprise_id is not None:
        return base.filter(team__enterprise_id=user.enterprise_id)
    return base.none()


def actors_for(user: User | AnonymousUser, application: Application) -> set[Actor]:
    actors: set[Actor] = set()
    if not user.is_authenticated or not user.is_active:
        return actors
    if is_admin(user):
        actors.add(Actor.ADMIN)
    elif user.role == Role.RECOMMENDER and user.recommender_id == application.recommender_id:
        actors.add(Actor.RECOMMENDER)
    elif user.role == Role.APPLICANT and user.enterprise_id == application.team.enterprise_id:
        actors.add(Actor.OWNER)
    return actors


def can_edit_application(user: User | AnonymousUser, application: Application) -> bool:
    return Actor.OWNER in actors_for(user, application) and application.is_editable_state


def get_application_for_user_or_404(
    user: User | AnonymousUser, pk: Any, *, write: bool = False, ip: str | None = None
) -> Application:
    application = visible_applications(user).filter(pk=pk).first()
    if application is None:
        raise deny(user, "application", pk, ip=ip)
    if write and not can_edit_application(user, application):
        raise deny(user, "application", pk, code="403", ip=ip)
    return application


def get_document_for_user_or_404(
    user: User | AnonymousUser, application_pk: Any, pk: Any, *, ip: str | None = None
) -> Document:
    application = get_application_for_user_or_404(user, application_pk, ip=ip)
    document = (
        Document.objects.filter(application=application, pk=pk)
        .select_related("application")
        .first()
    )
    if document is None or _unsubmitted_for_recommender(user, application, document):
        raise deny(user, "document", pk, ip=ip)
    return document


def _unsubmitted_for_recommender(
    user: User | AnonymousUser, application: Application, document: Document
) -> bool:
    """A recommender sees the files the enterprise submitted, never its uploads since: those of
    an application returned to it and being revised, which it submits again when it is ready.
    (Files can change only in a draft, so what came before the last submission is what was
    submitted.)"""
    if not isinstance(user, User) or user.role != Role.RECOMMENDER:
        return False
    submitted_at = application.submitted_at
    return submitted_at is None or document.uploaded_at > submitted_at
