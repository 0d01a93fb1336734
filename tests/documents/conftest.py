"""Shared set-up of the document tests: recommended applications with their uploads."""

from __future__ import annotations

from pathlib import Path

import pytest

from banzu.accounts.models import Recommender, User
from banzu.applications import services as application_services
from banzu.applications.models import Application
from banzu.recommendations import services as recommendation_services
from tests.applications.helpers import make_complete
from tests.factories import ApplicationFactory, EnterpriseFactory, TeamFactory


def make_recommended(
    recommender: Recommender, staff: User, tmp_path: Path, team: str
) -> Application:
    """A complete application of `team`, submitted to `recommender` and recommended by `staff`
    (so it has its number); every upload (materials, PPT, stamped form) is in place."""
    application = ApplicationFactory(
        recommender=recommender,
        team=TeamFactory(name=team, enterprise=EnterpriseFactory(name=f"浙江{team}建设有限公司")),
    )
    folder = tmp_path / f"samples-{team}"
    folder.mkdir()
    application = make_complete(application, folder)
    application = application_services.submit_application(
        application=application, user=application.created_by
    )
    return recommendation_services.recommend_application(application=application, actor=staff)


@pytest.fixture
def recommended(open_edition, hangzhou, recommender_hz, tmp_path) -> Application:
    """钢筋班, recommended by 杭州 in the open 2026 edition."""
    return make_recommended(hangzhou, recommender_hz, tmp_path, "钢筋班")
