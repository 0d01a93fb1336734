"""The certificates' world: the results of tests/results/test_gather (甲 一等奖, 乙 二等奖,
丁 三等奖, 丙 ranked without a tier, 戊 and 己 优秀奖 for not presenting, 庚 eliminated, 辛
disqualified) sealed as version 1, in publicity from Monday 2026-12-07 for five working days, and
published on 2026-12-14 with the commendation notice 浙质协〔2026〕15号 of 2026-12-15. The best
presentation of each room wins 最佳发布奖 (甲 in 第一分会场, 乙 in 第二分会场).

甲班组 belongs to applicant A's enterprise (杭州); 乙班组 to applicant B's, recommended by 宁波.
Every materials sheet carries an overall comment and a comment on its first item, every
presentation sheet a comment; the experts' names are those of tests/results/test_gather
(评审专家1–3, 评委a1–b3)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import translation

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.certificates import services
from banzu.certificates.models import Certificate
from banzu.editions.models import Edition
from banzu.presentations.models import PresentationSheet
from banzu.publicity import publication
from banzu.publicity import services as publicity_services
from banzu.publicity.models import Publicity
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from banzu.scoring.models import ItemScore, ScoreSheet
from tests.results.test_gather import ResultsWorld, build_results

OPENED_ON = dt.date(2026, 12, 7)  # a Monday: the window runs to Friday 2026-12-11
TODAY = dt.date(2026, 12, 14)  # the window has closed
NOTICE = "浙质协〔2026〕15号"
NOTICE_DATE = dt.date(2026, 12, 15)
EXPERT_NAMES = ("评审专家1", "评审专家2", "评审专家3", "评委a1", "评委a2", "评委a3")


@pytest.fixture(autouse=True)
def _english(settings, request):
    """The pages in English, so the assertions read the source strings."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(publicity_services, "today", lambda: TODAY)
    monkeypatch.setattr(publication, "today", lambda: TODAY)


@dataclass
class World:
    edition: Edition
    results: ResultsWorld
    version: ResultsVersion
    publicity: Publicity

    def team(self, name: str) -> Application:
        return self.results.teams[name]

    @property
    def own(self) -> Application:  # applicant A's, 一等奖
        return self.team("甲班组")

    @property
    def other(self) -> Application:  # applicant B's, 二等奖, 宁波
        return self.team("乙班组")


def _comment_every_sheet(results: ResultsWorld) -> None:
    for sheet in ScoreSheet.objects.filter(application__edition=results.edition):
        team = sheet.application.team.name
        sheet.overall_comment = f"{team}：总体评价（{sheet.total}分）"
        sheet.save(update_fields=["overall_comment"])
        first = ItemScore.objects.filter(sheet=sheet).order_by("rubric_item__position").first()
        assert first is not None
        first.comment = f"{team}：选题意见（{sheet.total}分）"
        first.save(update_fields=["comment"])
    for paper in PresentationSheet.objects.filter(slot__event=results.event):
        paper.comment = f"{paper.slot.application.team.name}：发布评价（{paper.total}分）"
        paper.save(update_fields=["comment"])


def build_world(
    edition: Edition,
    admin: User,
    applicant_a: User,
    applicant_b: User,
    ningbo,
    *,
    comments: bool,
    publish: bool = True,
) -> World:
    results = build_results(edition)
    for name, applicant in (("甲班组", applicant_a), ("乙班组", applicant_b)):
        team = results.teams[name].team
        team.enterprise = applicant.enterprise
        team.save(update_fields=["enterprise"])
    other = results.teams["乙班组"]
    other.recommender = ningbo
    other.save(update_fields=["recommender"])
    _comment_every_sheet(results)
    settings = settings_for(edition)
    settings.non_presenter_tier = "优秀奖"
    settings.room_award = "最佳发布奖"
    settings.show_comments_to_applicants = comments
    settings.save()
    version = seal(edition, by=admin)
    publicity = publicity_services.open_publicity(
        edition,
        publicity_services.Window(starts_on=OPENED_ON, working_days=5),
        by=admin,
    )
    if publish:
        publicity = publication.publish(
            publicity, notice_number=NOTICE, notice_date=NOTICE_DATE, by=admin
        )
    for application in results.teams.values():
        application.refresh_from_db()
    return World(edition, results, version, publicity)


@pytest.fixture
def unpublished(edition, admin_user, applicant_a, applicant_b, ningbo) -> World:
    """Sealed and in publicity (the window has closed), not yet published."""
    return build_world(
        edition, admin_user, applicant_a, applicant_b, ningbo, comments=True, publish=False
    )


@pytest.fixture
def world(edition, admin_user, applicant_a, applicant_b, ningbo) -> World:
    """Published; the edition does not show the experts' comments to applicants."""
    return build_world(edition, admin_user, applicant_a, applicant_b, ningbo, comments=False)


@pytest.fixture
def world_with_comments(edition, admin_user, applicant_a, applicant_b, ningbo) -> World:
    """Published; the edition shows the experts' comments (without names) to applicants."""
    return build_world(edition, admin_user, applicant_a, applicant_b, ningbo, comments=True)


@pytest.fixture
def issued(world, admin_user) -> list[Certificate]:
    """甲 一等奖, 乙 二等奖, 丁 三等奖, then 戊 and 己 优秀奖."""
    return services.issue(world.version, by=admin_user)
