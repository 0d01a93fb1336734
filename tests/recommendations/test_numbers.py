"""Recommendation numbers: sequential per recommender, unique in the edition under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connections
from django.utils import translation

from banzu.applications import services as application_services
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.recommendations import services
from tests.applications.helpers import make_complete
from tests.factories import ApplicationFactory


def _submitted(recommender, tmp_path, n):
    apps = []
    for _ in range(n):
        application = make_complete(ApplicationFactory(recommender=recommender), tmp_path)
        apps.append(
            application_services.submit_application(
                application=application, user=application.created_by
            )
        )
    return apps


@pytest.mark.django_db
def test_numbers_follow_prefix_year_and_sequence(
    open_edition, hangzhou, ningbo, recommender_hz, recommender_nb, tmp_path
):
    hz = _submitted(hangzhou, tmp_path, 2)
    nb = _submitted(ningbo, tmp_path, 1)

    numbers = [
        services.recommend_application(
            application=hz[0], actor=recommender_hz
        ).recommendation_number,
        services.recommend_application(
            application=nb[0], actor=recommender_nb
        ).recommendation_number,
        services.recommend_application(
            application=hz[1], actor=recommender_hz
        ).recommendation_number,
    ]

    assert numbers == ["杭-2026-001", "甬-2026-001", "杭-2026-002"]


@pytest.mark.django_db
def test_recommend_over_quota_refused(open_edition, hangzhou, recommender_hz, admin_user, tmp_path):
    first, second = _submitted(hangzhou, tmp_path, 2)
    batch = services.batch_for(open_edition, hangzhou)
    services.set_quota(batch=batch, quota=1, by=admin_user)
    services.recommend_application(application=first, actor=recommender_hz)

    with (
        translation.override("en"),
        pytest.raises(application_services.ServiceError) as refused,
    ):
        services.recommend_application(application=second, actor=recommender_hz)

    assert refused.value.code == "quota"
    assert "quota of 1 recommendations" in refused.value.message
    second.refresh_from_db()
    assert (second.state, second.recommendation_number) == (ApplicationState.SUBMITTED, None)


@pytest.mark.django_db(transaction=True)
def test_parallel_recommends_get_unique_numbers_without_errors(
    open_edition, hangzhou, recommender_hz, tmp_path
):
    applications = _submitted(hangzhou, tmp_path, 8)
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(applications))

    def recommend(application: Application) -> None:
        try:
            barrier.wait(timeout=10)
            services.recommend_application(application=application, actor=recommender_hz)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recommend, args=(a,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(
        Application.objects.filter(state=ApplicationState.RECOMMENDED).values_list(
            "recommendation_number", flat=True
        )
    )
    assert numbers == [f"杭-2026-{n:03d}" for n in range(1, 9)]
