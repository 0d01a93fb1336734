"""The expert review in the demo, built through the services: a pool of experts (with automatic
conflicts), the screened applications assigned, and sheets in every state — the demo expert has
one application to declare, one to start, one draft and one submitted sheet; another expert
declared a conflict; one sheet was reopened and submitted again; one application has five
sheets so the trimmed mean shows which were dropped."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal

from banzu.accounts.models import Enterprise, Recommender, User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.editions.models import Edition
from banzu.review import pool, selectors, services
from banzu.review.enums import AssignmentState
from banzu.review.models import Assignment
from banzu.scoring.enums import SheetStage
from banzu.scoring.models import ScoreSheet
from banzu.scoring.services import ItemInput
from banzu.screening import services as screening

INDUSTRIES = ["房屋建筑工程", "市政公用工程", "机电安装工程"]
EXPERTS = [
    # username, name, organisation, city, specialities
    ("expert", "陈建华", "浙江大学建筑工程学院", "杭州", ["房屋建筑工程", "市政公用工程"]),
    ("expert_wang", "王立新", "浙江省建设工程质量检验站", "杭州", ["房屋建筑工程"]),
    ("expert_li", "李慧敏", "宁波市建设工程安全质量管理服务总站", "宁波", ["市政公用工程"]),
    ("expert_zhao", "赵国强", "温州市建筑业协会", "温州", ["机电安装工程", "房屋建筑工程"]),
    ("expert_sun", "孙晓燕", "浙江工业大学土木工程学院", "杭州", ["市政公用工程"]),
    ("expert_zhou", "周明", "浙江省建筑科学设计研究院", "杭州", ["机电安装工程"]),
    ("expert_wu", "吴志刚", "绍兴市建设工程质量安全管理中心", "绍兴", ["房屋建筑工程"]),
    (
        "expert_zheng",
        "郑丽",
        "浙江省建工集团有限责任公司",
        "杭州",
        ["房屋建筑工程", "机电安装工程"],
    ),
]
COMMENTS = [
    "需求识别较充分，顾客需求转化为班组目标的过程清楚。",
    "策划内容完整，组织机构与制度建设到位，目标可量化。",
    "建设过程记录翔实，自检互检与持续改进证据充分。",
    "成效数据可信，顾客满意度有测评依据。",
    "特色较鲜明，具有一定推广价值。",
]


class ReviewDemo:
    def __init__(self, *, admin: User, password: str, out: Callable[[str], None]) -> None:
        self.admin = admin
        self.password = password
        self.out = out
        self.rng = random.Random(8)  # noqa: S311 - reproducible demo content

    def build(self, edition: Edition) -> None:
        experts = self._pool()
        applications = self._screen(edition)
        if len(applications) < 4:
            self.out("Demo: too few screened applications for the expert review.")
            return
        services.update_settings(
            edition=edition, by=self.admin, fields={"experts_per_application": 3}
        )
        demo_expert = experts["expert"]
        run = services.run_assignment(edition=edition, by=self.admin)
        self.out(f"Demo: {run.added} expert assignments made automatically.")
        # The demo expert reviews four applications: what the run gave them, and more by hand.
        for application in applications[:4]:
            if not self._assigned(application, demo_expert):
                services.add_assignment(application=application, expert=demo_expert, by=self.admin)
        first, second, third, fourth = applications[:4]
        # Another expert on the first application declares a conflict.
        conflicted = self._other_assignment(first, demo_expert)
        services.declare(
            conflicted,
            expert=conflicted.expert,
            conflict=True,
            reason="近三年曾为该单位提供质量管理咨询服务。",
        )
        # The demo expert: first pending, second declared but not started, third a draft,
        # fourth submitted.
        for application in (second, third, fourth):
            self._confirm(application, demo_expert)
        self._sheet(third, demo_expert, submit=False)
        self._sheet(fourth, demo_expert, submit=True)
        # Everyone else scores everything they were given, except one expert who is behind.
        laggard = self._other_assignment(second, demo_expert).expert
        for assignment in (
            Assignment.objects.active()
            .filter(application__in=applications)
            .exclude(expert__in=[demo_expert, laggard])
            .select_related("application", "expert")
        ):
            if assignment.state == AssignmentState.PENDING:
                self._confirm(assignment.application, assignment.expert)
            self._sheet(assignment.application, assignment.expert, submit=True)
        # Five sheets on the fourth application: the trimmed mean drops the highest and lowest.
        extra = [
            e
            for e in experts.values()
            if not self._assigned(fourth, e)
            and not selectors.conflict_reason(e.expert_profile, fourth)
        ][:2]
        for expert in extra:
            services.add_assignment(application=fourth, expert=expert, by=self.admin)
            self._confirm(fourth, expert)
            self._sheet(fourth, expert, submit=True)
        # One submitted sheet reopened with a reason, corrected and submitted again.
        sheet = (
            ScoreSheet.objects.filter(application=fourth, stage=SheetStage.MATERIALS)
            .exclude(scorer=demo_expert)
            .first()
        )
        if sheet is not None:
            services.reopen_expert_sheet(
                sheet=sheet, by=self.admin, reason="第3项“建设过程”分数与评语不一致，请复核。"
            )
            self._sheet(fourth, sheet.scorer, submit=True)
        self.out(
            "Demo: expert review under way — the demo expert has one application to declare, "
            "one to start, one draft and one submitted sheet."
        )

    def _pool(self) -> dict[str, User]:
        experts = {}
        ningbo = Recommender.objects.get(short_name="宁波")
        for username, name, organisation, city, specialities in EXPERTS:
            employer = Enterprise.objects.filter(name=organisation).first()
            profile = pool.create_expert(
                by=self.admin,
                data=pool.ExpertData(
                    full_name=name,
                    email=f"{username}@example.com",
                    organisation=organisation,
                    phone=f"1380571{self.rng.randint(1000, 9999)}",
                    city=city,
                    specialities=tuple(specialities),
                    employer=employer,
                    # 李慧敏 serves 宁波's association: never given 宁波's applications.
                    recommenders=(ningbo,) if username == "expert_li" else (),
                ),
            )
            user = profile.user
            user.set_password(self.password)
            user.save(update_fields=["password"])
            User.objects.filter(pk=user.pk).update(is_demo=True)
            experts[username] = user
        return experts

    def _screen(self, edition: Edition) -> list[Application]:
        """The province passes the screening of the submitted batches' recommendations."""
        recommended = Application.objects.filter(
            edition=edition,
            state=ApplicationState.RECOMMENDED,
            recommender__batches__state="submitted",
        ).order_by("recommendation_number")
        passed = []
        for application in recommended:
            screening.pass_application(application, actor=self.admin)
            passed.append(application.pk)
        return list(Application.objects.filter(pk__in=passed).order_by("recommendation_number"))

    def _assigned(self, application: Application, expert: User) -> bool:
        return Assignment.objects.filter(application=application, expert=expert).exists()

    def _other_assignment(self, application: Application, not_expert: User) -> Assignment:
        return (
            Assignment.objects.active()
            .filter(application=application)
            .exclude(expert=not_expert)
            .select_related("expert")
            .order_by("expert__username")
            .first()
        ) or Assignment.objects.get(application=application, expert=not_expert)

    def _confirm(self, application: Application, expert: User) -> None:
        assignment = Assignment.objects.get(application=application, expert=expert)
        if assignment.state == AssignmentState.PENDING:
            services.declare(assignment, expert=expert, conflict=False)

    def _sheet(self, application: Application, expert: User, *, submit: bool) -> None:
        assignment = Assignment.objects.select_related("application").get(
            application=application, expert=expert
        )
        rubric = list(application.edition.rubric_items.all())
        leniency = self.rng.choice([-2, -1, 0, 0, 1, 2])
        items = {}
        for index, item in enumerate(rubric):
            share = Decimal(self.rng.randint(15, 19) + leniency) / 20
            points = (item.max_points * min(share, Decimal(1)) * 2).quantize(Decimal(1)) / 2
            items[item.pk] = ItemInput(points, COMMENTS[index % len(COMMENTS)])
        if not submit:
            items = dict(list(items.items())[:3])
        existing = ScoreSheet.objects.filter(
            application=application, stage=SheetStage.MATERIALS, scorer=expert
        ).first()
        services.save_expert_sheet(
            assignment=assignment,
            expert=expert,
            items=items,
            overall_comment="班组建设思路清晰，成效明显，材料规范完整。" if submit else "",
            expected_version=existing.version if existing else None,
            submit=submit,
        )
