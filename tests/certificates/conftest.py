from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import translation

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.certificates import services
from banzu.certificates.models import Certificate
from banzu.results.enums import VersionState
from banzu.results.models import ResultsVersion
from tests.factories import ApplicationFactory, TeamFactory

ISSUED_ON = dt.date(2026, 12, 8)
NOTICE = "浙质协〔2026〕15号"


@pytest.fixture(autouse=True)
def _english(settings):
    """The pages in English, so the assertions read the source strings."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@dataclass
class World:
    version: ResultsVersion
    own: Application  # applicant_a's team, 杭州, 一等奖
    other: Application  # applicant_b's team, 宁波, 二等奖
    unawarded: Application  # 杭州, ranked without a tier
    apart: Application  # 杭州, did not present: 优秀奖


def sealed_version(edition, admin: User, rows: list[dict], apart: list[dict]) -> ResultsVersion:
    return ResultsVersion.objects.create(
        edition=edition,
        number=(ResultsVersion.objects.filter(edition=edition).count() + 1),
        state=VersionState.SEALED,
        payload={"rows": rows, "apart": apart, "settings": {"room_award": ""}},
        sha256="0" * 64,
        created_by=admin,
        sealed_by=admin,
        reason="" if not ResultsVersion.objects.filter(edition=edition).exists() else "again",
    )


@pytest.fixture
def world(edition, applicant_a, applicant_b, ningbo, admin_user) -> World:
    own = ApplicationFactory(
        team=TeamFactory(name="钢筋精益班组", enterprise=applicant_a.enterprise),
        created_by=applicant_a,
    )
    other = ApplicationFactory(
        team=TeamFactory(name="幕墙安装班组", enterprise=applicant_b.enterprise),
        created_by=applicant_b,
        recommender=ningbo,
    )
    unawarded = ApplicationFactory(team=TeamFactory(name="防水施工班组"))
    apart = ApplicationFactory(team=TeamFactory(name="测量放线班组"))
    version = sealed_version(
        edition,
        admin_user,
        rows=[
            {"application": own.pk, "rank": 1, "tier": "一等奖", "room_award": False},
            {"application": other.pk, "rank": 2, "tier": "二等奖", "room_award": False},
            {"application": unawarded.pk, "rank": 3, "tier": None, "room_award": False},
        ],
        apart=[{"application": apart.pk, "reason": "not_presented", "tier": "优秀奖"}],
    )
    return World(version, own, other, unawarded, apart)


@pytest.fixture
def issued(world, admin_user) -> list[Certificate]:
    return services.issue(world.version, by=admin_user, notice_number=NOTICE, issued_on=ISSUED_ON)
