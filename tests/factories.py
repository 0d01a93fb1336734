"""Factories build valid objects through the real models; personas are named in conftest."""

from __future__ import annotations

from decimal import Decimal

import factory

from banzu.accounts.enums import Ownership, Role
from banzu.accounts.models import Enterprise, Recommender, User
from banzu.applications.models import Application, Team
from banzu.editions.models import Edition

PASSWORD = "correct-horse-battery-9"


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"浙江第{n}建设工程有限公司")
    industry = "房屋建筑工程"
    ownership = Ownership.STATE
    address = "浙江省杭州市西湖区文三路1号"
    supervising_department = "质量安全部"
    supervising_contact = "王工"
    supervising_phone = "0571-81956046"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.APPLICANT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    enterprise = factory.SubFactory(EnterpriseFactory)
    name = factory.Sequence(lambda n: f"钢筋{n}班")


def complete_fields() -> dict[str, object]:
    """Every Attachment 1 field filled with a valid value."""
    return {
        "experience_title": "以精细化管理提升钢筋加工一次合格率",
        "member_count": 12,
        "contact_name": "李明",
        "contact_phone": "13605792309",
        "work_completion_rate": Decimal("100.00"),
        "quality_pass_rate": Decimal("99.50"),
        "nonconforming_count": 0,
        "accident_count": 0,
        "complaint_count": 0,
        "first_pass_rate": Decimal("98.20"),
        "training_people": 12,
        "training_hours": 96,
        "improvement_participation_rate": Decimal("100.00"),
        "quality_cost": Decimal("12.35"),
        "narrative_team": "班组由12名成员组成，负责钢筋加工与安装。",
        "narrative_management": "建立了班前会、交接班和质量自检制度。",
        "narrative_skills": "每月开展技能培训，熟练运用QC七大手法。",
        "narrative_improvement": "完成QC课题3项，获得实用新型专利1项。",
        "narrative_results": "连续三年一次验收合格率100%。",
        "narrative_honours": "2025年获评市级工人先锋号。",
        "no_accident_declared": True,
        "originality_pledged": True,
    }


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    edition = factory.LazyFunction(lambda: Edition.objects.get(year=2026))
    team = factory.SubFactory(TeamFactory)
    recommender = factory.LazyFunction(lambda: Recommender.objects.get(short_name="杭州"))
    created_by = factory.SubFactory(
        UserFactory, enterprise=factory.SelfAttribute("..team.enterprise")
    )


class ExpertProfileFactory(factory.django.DjangoModelFactory):
    """An expert account with its profile (banzu.review)."""

    class Meta:
        model = "review.ExpertProfile"

    user = factory.SubFactory(UserFactory, role=Role.EXPERT)
    organisation = "浙江大学建筑工程学院"
    city = "杭州"
    specialities = factory.LazyFunction(lambda: ["房屋建筑工程"])
