"""The demo of every stage, built through their services, so always valid. Not for production."""

from __future__ import annotations

import datetime as dt
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from banzu.accounts.enums import Ownership, Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.accounts.services import create_enterprise, create_user
from banzu.applications import services
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.demo.event import EventDemo
from banzu.demo.materials import compose, materials_files
from banzu.demo.past import build_past_edition
from banzu.demo.plagiarism import build_plagiarism
from banzu.demo.results import build_results
from banzu.demo.review import ReviewDemo
from banzu.editions.models import Edition
from banzu.recommendations import services as recommendations
from banzu.recommendations.enums import BatchState
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet

DEMO_PASSWORD = "banzu-demo"  # noqa: S105 - published in the README, refused in production

DEMO_LOGINS = [
    ("admin", Role.ADMIN, "省质协管理员"),
    ("recommender", Role.RECOMMENDER, "杭州市建筑业协会"),
    ("applicant", Role.APPLICANT, "申报单位"),
    ("expert", Role.EXPERT, "评审专家"),
    ("secretary", Role.SECRETARY, "第一分会场会务秘书"),
]

CITY_ENTERPRISES = {
    "杭州": [
        "杭州建工集团有限责任公司",
        "浙江省一建建设集团有限公司",
        "杭州市城建设计研究院有限公司",
        "杭州湾大桥工程有限公司",
        "浙江中天建设有限公司",
    ],
    "宁波": [
        "宁波建工工程集团有限公司",
        "宁波市政工程建设集团股份有限公司",
        "宁波交通工程建设集团有限公司",
        "宁波华丰建设股份有限公司",
    ],
    "温州": ["温州建设集团有限公司", "温州市市政工程建设开发公司", "中成建工集团有限公司"],
    "嘉兴": ["嘉兴市建筑工业化有限公司", "浙江嘉兴恒创建设有限公司", "嘉善县第一建筑工程有限公司"],
    "湖州": ["湖州市建工集团有限公司", "浙江德清建设有限公司", "长兴建设有限公司"],
    "绍兴": [
        "浙江宝业建设集团有限公司",
        "中国轻纺城建设有限公司",
        "绍兴市城建集团有限公司",
        "诸暨市建设集团有限公司",
    ],
    "金华": ["金华市建筑工程有限公司", "浙江东阳三建建设有限公司", "义乌市建设工程有限公司"],
    "衢州": ["衢州市政园林股份有限公司", "衢州建工集团有限公司"],
    "舟山": ["舟山港务建设有限公司", "舟山海洋工程有限公司"],
    "台州": ["台州市建设有限公司", "浙江温岭建设有限公司", "临海市建筑工程有限公司"],
    "丽水": ["丽水市建工集团有限公司", "浙江龙泉建设有限公司"],
    "省建投": ["浙江省建工集团有限责任公司", "浙江省二建建设集团有限公司"],
}
TEAM_NAMES = [
    "钢筋加工班",
    "混凝土浇筑班",
    "测量放线班",
    "机电安装班",
    "幕墙施工班",
    "质量检测班",
    "模板工程班",
    "防水施工班",
    "桥梁架设班",
    "隧道掘进班",
]
EXPERIENCE = [
    "以精细化管理提升一次验收合格率",
    "“三检制”筑牢质量防线",
    "数字化测量保障结构精度",
    "标准化作业提升安装质量",
    "质量文化引领班组成长",
]


@dataclass
class DemoFiles:
    """The demo's files: each application's materials written for it (banzu.demo.materials),
    Word and PDF from the same text; one presentation and one signed-form scan for all."""

    docx: bytes
    pdf: bytes
    pptx: bytes
    materials: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)

    @classmethod
    def build(cls) -> DemoFiles:
        from pptx import Presentation

        docx, pdf = materials_files(
            compose(
                year=2026, enterprise="演示单位", team="演示班组", title="质量信得过班组建设成果"
            )
        )
        deck = Presentation()
        slide = deck.slides.add_slide(deck.slide_layouts[0])
        slide.shapes.title.text = "班组发布"
        pptx = io.BytesIO()
        deck.save(pptx)
        return cls(docx, pdf, pptx.getvalue())

    def materials_of(self, application: Application) -> tuple[bytes, bytes]:
        """The application's own materials, Word and PDF (the same each time it asks)."""
        team = application.team
        key = f"{application.edition.year}|{team.enterprise.name}|{team.name}"
        if key not in self.materials:
            self.materials[key] = materials_files(
                compose(
                    year=application.edition.year,
                    enterprise=team.enterprise.name,
                    team=team.name,
                    title=application.experience_title,
                )
            )
        return self.materials[key]

    def upload(
        self,
        application: Application,
        user: User,
        kinds: list[str],
        now: dt.datetime | None = None,
    ) -> None:
        docx, pdf = self.materials_of(application)
        names = {
            DocumentKind.MATERIALS_DOCX: ("班组创建材料.docx", docx),
            DocumentKind.MATERIALS_PDF: ("班组创建材料.pdf", pdf),
            DocumentKind.PRESENTATION: ("发布PPT.pptx", self.pptx),
            DocumentKind.SIGNED_FORM: ("申报表盖章扫描件.pdf", self.pdf),
        }
        for kind in kinds:
            name, content = names[DocumentKind(kind)]
            services.upload_document(
                application=application,
                user=user,
                kind=kind,
                upload=SimpleUploadedFile(name, content),
                now=now,
            )


def fill_fields(rng: random.Random, *, title: str) -> dict[str, Any]:
    members = rng.randint(6, 30)
    return {
        "experience_title": title,
        "member_count": members,
        "contact_name": rng.choice(["张伟", "王芳", "李强", "陈静", "刘洋", "周杰"]),
        "contact_phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
        "work_completion_rate": Decimal(rng.choice(["100.00", "99.80", "98.50"])),
        "quality_pass_rate": Decimal(rng.choice(["100.00", "99.60", "98.90"])),
        "nonconforming_count": rng.randint(0, 3),
        "accident_count": 0,
        "complaint_count": rng.randint(0, 2),
        "first_pass_rate": Decimal(rng.choice(["99.20", "98.70", "97.50"])),
        "training_people": members,
        "training_hours": members * rng.randint(6, 16),
        "improvement_participation_rate": Decimal(rng.choice(["100.00", "95.00", "92.50"])),
        "quality_cost": Decimal(rng.randint(500, 5000)) / 100,
        "narrative_team": "班组成员组成合理，职责明确，形成“精益求精、追求卓越”的班组文化。",
        "narrative_management": "建立班前讲评、三检制、交接班与质量台账等基础管理制度。",
        "narrative_skills": "开展技能培训与师带徒，熟练运用QC七大手法和PDCA循环。",
        "narrative_improvement": "近三年完成QC成果多项，形成工法与专利，成果推广应用。",
        "narrative_results": "班组目标全部达成，顾客满意度持续提升，获业主书面肯定。",
        "narrative_honours": "获得市级工人先锋号、省优秀QC小组等荣誉。",
        "no_accident_declared": True,
        "originality_pledged": True,
    }


class DemoBuilder:
    def __init__(self, *, out: Callable[[str], None]) -> None:
        self.out = out
        self.rng = random.Random(2026)  # noqa: S311 - reproducible demo content
        self.files = DemoFiles.build()
        self.admin: User | None = None

    def build(self) -> None:
        edition = Edition.objects.get(is_active=True)
        self._open_deadline(edition)
        self.admin = create_user(
            by=None,
            username="admin",
            email="admin@example.com",
            password=DEMO_PASSWORD,
            role=Role.ADMIN,
            full_name="省质协管理员",
            is_demo=True,
        )
        hangzhou = Recommender.objects.get(short_name="杭州")
        create_user(
            by=self.admin,
            username="recommender",
            email="recommender@example.com",
            password=DEMO_PASSWORD,
            role=Role.RECOMMENDER,
            full_name="杭州市建筑业协会 王老师",
            recommender=hangzhou,
            is_demo=True,
        )
        self._demo_applicant(edition, hangzhou)
        count = 0
        plan = self._plan()
        for city, enterprise_name, team_name, state in plan:
            recommender = Recommender.objects.get(short_name=city)
            self._application(edition, recommender, enterprise_name, team_name, state)
            count += 1
        self.out(f"Demo: {count + 1} applications across {len(CITY_ENTERPRISES)} recommenders.")
        self._recommender_stage(edition)
        ReviewDemo(admin=self.admin, password=DEMO_PASSWORD, out=self.out).build(edition)
        build_past_edition(
            builder=self,
            admin=self.admin,
            current=edition,
            password=DEMO_PASSWORD,
            fill_fields=fill_fields,
            out=self.out,
        )
        EventDemo(
            builder=self,
            admin=self.admin,
            password=DEMO_PASSWORD,
            fill_fields=fill_fields,
            out=self.out,
        ).build(edition)
        build_plagiarism(admin=self.admin, edition=edition, out=self.out)
        build_results(builder=self, admin=self.admin, demo_expert="expert", out=self.out)

    def _recommender_stage(self, edition: Edition) -> None:
        """宁波 and 温州 have scored, recommended and submitted their batches; 杭州 is half done."""
        rubric = list(edition.rubric_items.all())
        plan = [("宁波", True), ("温州", True), ("杭州", False)]
        for short_name, finish in plan:
            recommender = Recommender.objects.get(short_name=short_name)
            staff = recommender.staff.first() or create_user(
                by=self.admin,
                username=f"demo_rec_{recommender.pk}",
                email=f"demo_rec_{recommender.pk}@example.com",
                password=DEMO_PASSWORD,
                role=Role.RECOMMENDER,
                full_name=f"{short_name}协会 审核员",
                recommender=recommender,
                is_demo=True,
            )
            submitted = list(
                Application.objects.filter(
                    edition=edition, recommender=recommender, state=ApplicationState.SUBMITTED
                ).order_by("pk")
            )
            to_score = submitted if finish else submitted[: len(submitted) // 2 + 1]
            scored = []
            for application in to_score:
                items = {
                    item.pk: ItemInput(
                        points=(item.max_points * Decimal(self.rng.randint(14, 19)) / 20).quantize(
                            Decimal("1")
                        ),
                        comment="",
                    )
                    for item in rubric
                }
                sheet = save_sheet(
                    application=application,
                    scorer=staff,
                    stage=SheetStage.RECOMMENDER,
                    items=items,
                    expected_version=None,
                    submit=True,
                )
                scored.append((sheet.total, application))
            scored.sort(key=lambda pair: pair[0], reverse=True)
            ranked = [application for _total, application in scored]
            for application in ranked[:2]:
                recommendations.recommend_application(application=application, actor=staff)
            if finish and len(ranked) > 3:
                recommendations.decline_application(
                    application=ranked[-1], actor=staff, reason="综合评分排名靠后，本年度暂不推荐。"
                )
            leftover = [a for a in submitted if a not in ranked]
            if leftover:
                recommendations.return_application(
                    application=leftover[0],
                    actor=staff,
                    reason="盖章扫描件不清晰，请重新扫描上传后再提交。",
                )
            if finish:
                recommendations.transition_batch(
                    recommendations.batch_for(edition, recommender),
                    to=BatchState.SUBMITTED,
                    actor=staff,
                )
        self.out(
            "Demo: 宁波 and 温州 submitted their batches; 杭州 has scored and recommended some."
        )

    def _open_deadline(self, edition: Edition) -> None:
        # The demo must be usable today: keep the notice's deadline unless it has passed.
        soon = timezone.now() + dt.timedelta(days=30)
        if edition.recommendation_deadline < soon:
            edition.recommendation_deadline = soon.replace(hour=15, minute=59, second=59)
            edition.registration_opens_at = min(
                edition.registration_opens_at, timezone.now() - dt.timedelta(days=30)
            )
            edition.save()
            local = timezone.localtime(edition.recommendation_deadline)
            self.out(f"Demo: the deadline was moved to {local:%Y-%m-%d %H:%M} so it can be tried.")

    def _plan(self) -> list[tuple[str, str, str, str]]:
        states = ["submitted"] * 22 + ["draft"] * 8 + ["incomplete"] * 4 + ["withdrawn"] * 5
        plan = []
        i = 0
        for city, names in CITY_ENTERPRISES.items():
            for name in names:
                team = TEAM_NAMES[i % len(TEAM_NAMES)]
                plan.append((city, name, team, states[i % len(states)]))
                i += 1
        while len(plan) < 39:
            city, names = list(CITY_ENTERPRISES.items())[i % len(CITY_ENTERPRISES)]
            plan.append(
                (city, names[0], TEAM_NAMES[(i + 3) % len(TEAM_NAMES)], states[i % len(states)])
            )
            i += 1
        return plan

    def _enterprise_user(self, enterprise_name: str, username: str | None = None) -> User:
        enterprise = Enterprise.objects.filter(name=enterprise_name).first()
        if enterprise is not None:
            user = enterprise.staff.first()
            assert user is not None
            return user
        name = username or f"demo{User.objects.count():03d}"
        user = create_user(
            by=self.admin,
            username=name,
            email=f"{name}@example.com",
            password=DEMO_PASSWORD,
            role=Role.APPLICANT,
            full_name=self.rng.choice(["赵工", "钱工", "孙工", "周工", "吴工"]),
            is_demo=True,
        )
        create_enterprise(
            user=user,
            fields={
                "name": enterprise_name,
                "industry": self.rng.choice(["房屋建筑工程", "市政公用工程", "机电安装工程"]),
                "ownership": self.rng.choice(
                    [Ownership.STATE, Ownership.PRIVATE, Ownership.JOINT_STOCK]
                ),
                "address": "浙江省" + enterprise_name[:2] + "市建设路88号",
                "supervising_department": "质量管理部",
                "supervising_contact": "黄经理",
                "supervising_phone": "0571-8" + str(self.rng.randint(1000000, 9999999)),
            },
        )
        user.refresh_from_db()
        return user

    def _application(
        self,
        edition: Edition,
        recommender: Recommender,
        enterprise_name: str,
        team: str,
        state: str,
    ) -> Application:
        user = self._enterprise_user(enterprise_name)
        application = services.start_application(
            user=user, edition=edition, team_name=team, recommender=recommender
        )
        fields = fill_fields(self.rng, title=self.rng.choice(EXPERIENCE))
        if state == "incomplete":
            fields = {k: v for k, v in fields.items() if not k.startswith("narrative_")} | {
                "originality_pledged": False
            }
        application = services.save_draft(
            application=application,
            user=user,
            fields=fields,
            honours=[],
            expected_version=application.version,
        )
        if state == "incomplete":
            self.files.upload(application, user, [DocumentKind.MATERIALS_DOCX])
            return application
        self.files.upload(application, user, [k.value for k in DocumentKind])
        if state in ("submitted", "withdrawn"):
            application = services.submit_application(application=application, user=user)
        if state == "withdrawn":
            application = services.withdraw_application(application=application, user=user)
        return application

    def _demo_applicant(self, edition: Edition, recommender: Recommender) -> None:
        user = self._enterprise_user("杭州示范建设集团有限公司", username="applicant")
        application = services.start_application(
            user=user, edition=edition, team_name="精品工程测量班", recommender=recommender
        )
        fields = fill_fields(self.rng, title="智能测量助力精品工程")
        fields = {
            k: v
            for k, v in fields.items()
            if k in ("experience_title", "member_count", "contact_name", "contact_phone")
        }
        services.save_draft(
            application=application,
            user=user,
            fields=fields,
            honours=[],
            expected_version=application.version,
        )
