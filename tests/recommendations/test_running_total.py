from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _points(edition, values):
    return {
        f"points_{item.pk}": value
        for item, value in zip(edition.rubric_items.all(), values, strict=True)
    }


def test_running_total_sums_what_is_typed_and_ignores_the_rest(submitted, recommender_hz):
    response = client_for(recommender_hz).post(
        reverse("recommendations:score_total", args=[submitted.pk]),
        _points(submitted.edition, ["13", "22.5", "abc", "", "12.5"]),
    )
    assert response.content.decode() == "48.0"


@pytest.mark.parametrize(
    ("persona", "status"),
    [("recommender_nb", 404), ("applicant_a", 404), ("applicant_b", 404), ("expert", 404)],
)
def test_running_total_outside_scope(request, submitted, persona, status):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("recommendations:score_total", args=[submitted.pk]), {}
    )
    assert response.status_code == status


def test_running_total_needs_post(submitted, recommender_hz):
    response = client_for(recommender_hz).get(
        reverse("recommendations:score_total", args=[submitted.pk])
    )
    assert response.status_code == 405
