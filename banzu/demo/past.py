"""Last year's edition beside this year's: 2025 went through registration, recommendation,
screening and the expert review, while 2026 registration is still open. The admin switches
between them in the navigation bar (banzu.editions.resolver). Built through the services, with
the moments of each step inside 2025's own timeline, so every deadline rule holds."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.accounts.services import create_user
from banzu.applications import services as applications
from banzu.applications.enums import DocumentKind
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.editions.services import create_edition
from banzu.recommendations import services as recommendations
from banzu.recommendations.enums import BatchState
from banzu.review import services as review
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from banzu.screening import services as screening

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR = 2025
SUBMITTED_AT = dt.datetime(YEAR, 4, 10, 10, 0, tzinfo=SHANGHAI)
BATCH_AT = dt.datetime(YEAR, 4, 24, 16, 0, tzinfo=SHANGHAI)

# (recommender, enterprise, team, experience title): teams of enterprises that apply again in 2026.
ENTRIES = [
    ("杭州", "杭州建工集团有限责任公司", "幕墙安装班", "幕墙安装质量“零缺陷”管控实践"),
    ("杭州", "浙江中天建设有限公司", "模板工程班", "铝模体系下模板一次成型质量提升"),
    ("宁波", "宁波建工工程集团有限公司", "机电安装班", "机电管线综合排布一次合格"),
    ("宁波", "宁波市政工程建设集团股份有限公司", "沥青摊铺班", "沥青路面平整度全过程控制"),
    ("温州", "温州建设集团有限公司", "防水施工班", "地下室防水“三检一验”闭环管理"),
]


class Builder(Protocol):
    """What this module uses of banzu.demo.builder.DemoBuilder."""

    rng: random.Random
    files: Any

    def _enterprise_user(self, enterprise_name: str, username: str | None = None) -> User: ...


def build_past_edition(
    *,
    builder: Builder,
    admin: User,
    current: Edition,
    password: str,
    fill_fields: Callable[..., dict[str, Any]],
    out: Callable[[str], None],
) -> Edition:
    edition = create_edition(
        by=admin,
        fields={
            "year": YEAR,
            "title": f"{YEAR}年工程建设质量信得过班组活动",
            "notice_number": f"浙工质协〔{YEAR}〕5号",
            "notice_date": dt.date(YEAR, 3, 10),
            "registration_opens_at": dt.datetime(YEAR, 3, 10, 9, 0, tzinfo=SHANGHAI),
            "recommendation_deadline": dt.datetime(YEAR, 4, 25, 23, 59, 59, tzinfo=SHANGHAI),
            "is_active": False,
        },
        copy_from=current,
    )
    staff: dict[str, User] = {}
    for city, enterprise, team, title in ENTRIES:
        recommender = Recommender.objects.get(short_name=city)
        staff.setdefault(city, _staff(recommender, admin, password))
        user = builder._enterprise_user(enterprise)
        application = _submitted(builder, user, edition, recommender, team, title, fill_fields)
        _score(builder.rng, application, staff[city])
        recommendations.recommend_application(application=application, actor=staff[city])
    for city, person in staff.items():
        recommender = Recommender.objects.get(short_name=city)
        recommendations.transition_batch(
            recommendations.batch_for(edition, recommender),
            to=BatchState.SUBMITTED,
            actor=person,
            now=BATCH_AT,
        )
    for application in Application.objects.filter(edition=edition).order_by("pk"):
        screening.pass_application(application, actor=admin)
    review.update_settings(edition=edition, by=admin, fields={"experts_per_application": 3})
    review.run_assignment(edition=edition, by=admin)
    for assignment in Assignment.objects.filter(application__edition=edition).select_related(
        "application", "expert"
    ):
        if assignment.state == AssignmentState.PENDING:
            review.declare(assignment, expert=assignment.expert, conflict=False)
            assignment.refresh_from_db()
        review.save_expert_sheet(
            assignment=assignment,
            expert=assignment.expert,
            items=_items(builder.rng, assignment.application, comment="材料翔实，成效可信。"),
            overall_comment="班组建设系统扎实，具有推广价值。",
            expected_version=None,
            submit=True,
        )
    finished = review.finish_review(edition=edition, by=admin)
    out(
        f"Demo: the {YEAR} edition beside {current.year}: {len(ENTRIES)} applications "
        f"recommended and screened, {finished} scored by three experts each."
    )
    return edition


def _staff(recommender: Recommender, admin: User, password: str) -> User:
    return recommender.staff.order_by("pk").first() or create_user(
        by=admin,
        username=f"demo_rec_{recommender.pk}",
        email=f"demo_rec_{recommender.pk}@example.com",
        password=password,
        role=Role.RECOMMENDER,
        full_name=f"{recommender.short_name}协会 审核员",
        recommender=recommender,
        is_demo=True,
    )


def _submitted(
    builder: Builder,
    user: User,
    edition: Edition,
    recommender: Recommender,
    team: str,
    title: str,
    fill_fields: Callable[..., dict[str, Any]],
) -> Application:
    application = applications.start_application(
        user=user, edition=edition, team_name=team, recommender=recommender, now=SUBMITTED_AT
    )
    application = applications.save_draft(
        application=application,
        user=user,
        fields=fill_fields(builder.rng, title=title),
        honours=[],
        expected_version=application.version,
        now=SUBMITTED_AT,
    )
    builder.files.upload(application, user, [kind.value for kind in DocumentKind], now=SUBMITTED_AT)
    return applications.submit_application(application=application, user=user, now=SUBMITTED_AT)


def _items(rng: random.Random, application: Application, *, comment: str) -> dict[int, ItemInput]:
    items = {}
    for item in application.edition.rubric_items.all():
        share = Decimal(rng.randint(15, 19)) / 20
        items[item.pk] = ItemInput((item.max_points * share * 2).quantize(Decimal(1)) / 2, comment)
    return items


def _score(rng: random.Random, application: Application, staff: User) -> None:
    save_sheet(
        application=application,
        scorer=staff,
        stage=SheetStage.RECOMMENDER,
        items=_items(rng, application, comment=""),
        expected_version=None,
        submit=True,
    )
