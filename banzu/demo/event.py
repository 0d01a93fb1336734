"""The live presentation event (现场发布会) of 2026 in the demo.

Ten further 2026 teams went the whole way through the services: registered with complete
fields and files (a PPT among them), scored and recommended by six recommenders whose batches
were submitted, passed the screening, scored by three experts each and moved to "scored". They
present today in two rooms (分会场) of five, each with a five-expert panel and a chair, the order
drawn and recorded (banzu.presentations.draw, a fixed demo seed per room).

第一分会场 is half way: its first two teams have presented (timer marks, five submitted sheets
each, their score), the third is presenting now (its timer started four minutes ago), and the
demo expert 陈建华 sits on its panel with that team's sheet still to fill while two colleagues
have already submitted theirs. Its secretary is the demo login `secretary`. 第二分会场 is drawn
and starts later; one of its panel members works for one of its teams and recuses for it.

The event itself is built through the models: its console, draw and scoring services are being
written beside this module (issue 14), and the demo must not wait for them. Every value is the
one those services would store: the states are the machines' (banzu.presentations.workflow),
the draw is the pure core's record, each sheet's total the exact sum of its items, and a
team's score banzu.presentations.selectors.slot_score.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from banzu.accounts.enums import Role
from banzu.accounts.models import Recommender, User
from banzu.accounts.services import create_user
from banzu.applications import services as applications
from banzu.applications.enums import ApplicationState, DocumentKind
from banzu.applications.models import Application
from banzu.demo.points import SHEET_COMMENTS, half, presentation_points
from banzu.editions.models import Edition
from banzu.editions.selectors import SheetItem, presentation_sheet
from banzu.presentations import draw
from banzu.presentations.enums import (
    RoomState,
    Selection,
    SheetState,
    ShowScore,
    SlotState,
    TimerMarkKind,
)
from banzu.presentations.models import (
    DrawRecord,
    Event,
    PanelMember,
    PresentationSheet,
    Recusal,
    Room,
    Slot,
    TimerMark,
)
from banzu.presentations.selectors import scorers, slot_minutes, slot_score
from banzu.recommendations import services as recommendations
from banzu.recommendations.enums import BatchState
from banzu.review import pool
from banzu.review import selectors as review_selectors
from banzu.review import services as review
from banzu.scoring.enums import SheetStage
from banzu.scoring.services import ItemInput, save_sheet
from banzu.screening import services as screening

SECRETARY = ("secretary", "王丽")

# (recommender, enterprise, team, experience title, room): enterprises of the demo that also
# have other applications; the teams are new ones. 浙江省建工集团 employs the expert 郑丽, who
# therefore recuses for its team in 第二分会场.
TEAMS = [
    ("嘉兴", "嘉兴市建筑工业化有限公司", "装配式构件安装班", "装配式构件安装精度“毫米级”控制", 1),
    ("绍兴", "浙江宝业建设集团有限公司", "精装修施工班", "“样板引路”提升精装修交付品质", 1),
    ("金华", "浙江东阳三建建设有限公司", "给排水安装班", "给排水管道“零渗漏”质量控制", 1),
    ("台州", "台州市建设有限公司", "预应力张拉班", "预应力张拉全过程标准化管控", 1),
    ("湖州", "湖州市建工集团有限公司", "智能建造班", "智能建造助力班组质量管理升级", 1),
    ("嘉兴", "浙江嘉兴恒创建设有限公司", "钢结构焊接班", "钢结构焊缝一次探伤合格率提升", 2),
    ("绍兴", "绍兴市城建集团有限公司", "路基路面班", "路基压实度数字化全过程管控", 2),
    ("金华", "义乌市建设工程有限公司", "BIM深化设计班", "BIM深化设计减少现场返工", 2),
    ("台州", "浙江温岭建设有限公司", "安全文明施工班", "质量与安全文明施工同步提升", 2),
    ("省建投", "浙江省建工集团有限责任公司", "盾构施工班", "盾构管片拼装质量控制创新", 2),
]
# Two experts more than the review's eight, so that each room has a panel of five.
MORE_EXPERTS = [
    ("expert_qian", "钱志远", "湖州市建设工程质量监督站", "湖州", ["市政公用工程"]),
    ("expert_feng", "冯雅琴", "金华职业技术学院建筑工程学院", "金华", ["房屋建筑工程"]),
]
# Usernames: the chair first. The demo expert is on 第一分会场's panel, not its chair.
PANELS = {
    1: ["expert_wang", "expert", "expert_sun", "expert_zhou", "expert_qian"],
    2: ["expert_zhao", "expert_li", "expert_wu", "expert_zheng", "expert_feng"],
}
# The materials review of the ten: three experts each, never the demo expert (whose review
# work is the review demo's).
REVIEWERS = [
    "expert_wang",
    "expert_li",
    "expert_zhao",
    "expert_sun",
    "expert_zhou",
    "expert_wu",
    "expert_zheng",
    "expert_qian",
    "expert_feng",
]
ROOMS = [
    (1, "第一分会场", "杭州国际博览中心 三楼 钱塘厅"),
    (2, "第二分会场", "杭州国际博览中心 三楼 西湖厅"),
]
COMMENT = "材料规范完整，班组建设成效有数据支撑。"


class Builder(Protocol):
    """What this module uses of banzu.demo.builder.DemoBuilder."""

    rng: random.Random
    files: Any

    def _enterprise_user(self, enterprise_name: str, username: str | None = None) -> User: ...


class EventDemo:
    def __init__(
        self,
        *,
        builder: Builder,
        admin: User,
        password: str,
        fill_fields: Callable[..., dict[str, Any]],
        out: Callable[[str], None],
    ) -> None:
        self.builder = builder
        self.admin = admin
        self.password = password
        self.fill_fields = fill_fields
        self.out = out
        self.rng = random.Random(14)  # noqa: S311 - reproducible demo content
        self.now = timezone.now().replace(microsecond=0)

    def build(self, edition: Edition) -> Event:
        experts = self._experts()
        teams = self._scored_teams(edition, experts)
        secretary = create_user(
            by=self.admin,
            username=SECRETARY[0],
            email=f"{SECRETARY[0]}@example.com",
            password=self.password,
            role=Role.SECRETARY,
            full_name=SECRETARY[1],
            is_demo=True,
        )
        event = Event.objects.create(
            edition=edition,
            starts_on=timezone.localdate(self.now),
            venue="杭州国际博览中心",
            selection=Selection.ALL_SCORED,
            show_score=ShowScore.AFTER_TEAM,
        )
        sheet = presentation_sheet(edition)
        for position, name, place in ROOMS:
            room = self._room(event, position, name, place, teams, experts)
            if position == 1:
                room.secretary = secretary
                room.save(update_fields=["secretary"])
                self._run_half(event, room, sheet, current=experts["expert"])
            last_day = timezone.localdate(room.starts_at)
            if last_day > event.starts_on:  # 第二分会场 starts after midnight
                event.ends_on = last_day
                event.save(update_fields=["ends_on"])
        self.out(
            "Demo: the 2026 presentation event — 第一分会场 has scored two teams and the third is "
            "presenting (the demo expert's sheet to fill); 第二分会场 is drawn."
        )
        return event

    # --- The ten teams, to "scored" through the services ------------------------------------

    def _experts(self) -> dict[str, User]:
        for username, name, organisation, city, specialities in MORE_EXPERTS:
            profile = pool.create_expert(
                by=self.admin,
                data=pool.ExpertData(
                    full_name=name,
                    email=f"{username}@example.com",
                    organisation=organisation,
                    phone=f"1390579{self.rng.randint(1000, 9999)}",
                    city=city,
                    specialities=tuple(specialities),
                ),
            )
            user = profile.user
            user.set_password(self.password)
            user.is_demo = True
            user.save(update_fields=["password", "is_demo"])
        usernames = {u for panel in PANELS.values() for u in panel}
        return {u.username: u for u in User.objects.filter(username__in=usernames)}

    def _scored_teams(self, edition: Edition, experts: dict[str, User]) -> list[Application]:
        staff: dict[str, User] = {}
        teams = []
        for city, enterprise, team, title, _room in TEAMS:
            recommender = Recommender.objects.get(short_name=city)
            staff.setdefault(city, self._staff(recommender))
            user = self.builder._enterprise_user(enterprise)
            application = applications.start_application(
                user=user, edition=edition, team_name=team, recommender=recommender
            )
            application = applications.save_draft(
                application=application,
                user=user,
                fields=self.fill_fields(self.builder.rng, title=title),
                honours=[],
                expected_version=application.version,
            )
            self.builder.files.upload(application, user, [kind.value for kind in DocumentKind])
            application = applications.submit_application(application=application, user=user)
            save_sheet(
                application=application,
                scorer=staff[city],
                stage=SheetStage.RECOMMENDER,
                items=self._items(application, Decimal("0.85"), comment=""),
                expected_version=None,
                submit=True,
            )
            application = recommendations.recommend_application(
                application=application, actor=staff[city]
            )
            teams.append(application)
        for city, person in staff.items():
            recommendations.transition_batch(
                recommendations.batch_for(edition, Recommender.objects.get(short_name=city)),
                to=BatchState.SUBMITTED,
                actor=person,
            )
        for index, application in enumerate(teams):
            screening.pass_application(application, actor=self.admin)
            self._review(application, experts, start=index)
        # Each team moves on its own, by the transition finish_review makes: finish_review
        # itself would also finish the review demo's application whose sheets are all in,
        # which the demo keeps under review.
        for application in teams:
            applications.transition(application, to=ApplicationState.SCORED, actor=self.admin)
        fresh = Application.objects.select_related("team__enterprise").in_bulk(
            [application.pk for application in teams]
        )
        teams = [fresh[application.pk] for application in teams]
        self.out(
            f"Demo: {len(teams)} more 2026 applications recommended by {len(staff)} "
            "recommenders, screened and scored by three experts each."
        )
        return teams

    def _staff(self, recommender: Recommender) -> User:
        return recommender.staff.order_by("pk").first() or create_user(
            by=self.admin,
            username=f"demo_rec_{recommender.pk}",
            email=f"demo_rec_{recommender.pk}@example.com",
            password=self.password,
            role=Role.RECOMMENDER,
            full_name=f"{recommender.short_name}协会 审核员",
            recommender=recommender,
            is_demo=True,
        )

    def _review(self, application: Application, experts: dict[str, User], *, start: int) -> None:
        quality = Decimal(self.rng.randint(74, 92)) / 100
        chosen = 0
        for offset in range(len(REVIEWERS)):
            if chosen == 3:
                break
            expert = experts[REVIEWERS[(start * 3 + offset) % len(REVIEWERS)]]
            if review_selectors.conflict_reason(expert.expert_profile, application):
                continue
            assignment = review.add_assignment(
                application=application, expert=expert, by=self.admin
            )
            assignment = review.declare(assignment, expert=expert, conflict=False)
            leniency = Decimal(self.rng.randint(-4, 4)) / 100
            review.save_expert_sheet(
                assignment=assignment,
                expert=expert,
                items=self._items(application, quality + leniency, comment=COMMENT),
                overall_comment="班组建设系统扎实，成效明显，具有推广价值。",
                expected_version=None,
                submit=True,
            )
            chosen += 1
        assert chosen == 3, "the demo pool has three conflict-free reviewers for every team"

    def _items(
        self, application: Application, share: Decimal, *, comment: str
    ) -> dict[int, ItemInput]:
        items = {}
        for item in application.edition.rubric_items.all():
            item_share = min(share + Decimal(self.rng.randint(-5, 5)) / 100, Decimal(1))
            items[item.pk] = ItemInput(half(item.max_points * item_share), comment)
        return items

    # --- The rooms: panels, recusals, the recorded draw -------------------------------------

    def _room(
        self,
        event: Event,
        position: int,
        name: str,
        place: str,
        teams: list[Application],
        experts: dict[str, User],
    ) -> Room:
        panel = [experts[username] for username in PANELS[position]]
        # 第一分会场 began 38 minutes ago: its third team is on time. 第二分会场 starts at the
        # next full hour after an hour from now.
        if position == 1:
            starts_at = self.now - dt.timedelta(minutes=2 * slot_minutes(event) + 4)
        else:
            later = timezone.localtime(self.now + dt.timedelta(hours=2))
            starts_at = later.replace(minute=0, second=0)
        room = Room.objects.create(
            event=event,
            position=position,
            name=name,
            place=place,
            starts_at=starts_at,
            chair=panel[0],
        )
        members = [PanelMember.objects.create(room=room, expert=expert) for expert in panel]
        mine = [a for a, row in zip(teams, TEAMS, strict=True) if row[4] == position]
        slots = [
            Slot.objects.create(event=event, application=application, room=room)
            for application in mine
        ]
        conflicts = review_selectors.automatic_conflicts(
            mine, [expert.expert_profile for expert in panel]
        )
        by_application = {slot.application_id: slot for slot in slots}
        for member in members:
            for (application_id, expert_id), reason in sorted(conflicts.items()):
                if expert_id == member.expert_id:
                    Recusal.objects.create(
                        member=member,
                        slot=by_application[application_id],
                        reason=_recusal_reason(reason),
                    )
        self._draw(room, mine, slots)
        return room

    def _draw(self, room: Room, mine: list[Application], slots: list[Slot]) -> None:
        teams = [draw.Team(a.pk, a.recommendation_number or "") for a in mine]
        seed = hashlib.sha256(f"banzu-demo-2026-room-{room.position}".encode()).hexdigest()
        record = draw.draw(teams, seed=seed)
        DrawRecord.objects.create(
            room=room,
            number=1,
            algorithm=record.algorithm,
            seed=record.seed,
            input_sha256=record.input_sha256,
            record=draw.to_json(record),
            drawn_by=self.admin,
        )
        # The draw took place the day before (the field is set on creation).
        DrawRecord.objects.filter(room=room).update(drawn_at=self.now - dt.timedelta(days=1))
        by_application = {slot.application_id: slot for slot in slots}
        for index, application_id in enumerate(record.order, start=1):
            slot = by_application[application_id]
            slot.drawn_position = slot.position = index
            slot.save(update_fields=["drawn_position", "position"])
        room.state = RoomState.DRAWN
        room.save(update_fields=["state"])

    # --- 第一分会场 half way ---------------------------------------------------------------

    def _run_half(self, event: Event, room: Room, sheet: list[SheetItem], *, current: User) -> None:
        slots = list(Slot.objects.filter(room=room).order_by("position"))
        secretary = room.secretary
        length = dt.timedelta(minutes=slot_minutes(event))
        # How long each of the first two talks ran: a little under, then a little over.
        talks = [dt.timedelta(minutes=11, seconds=28), dt.timedelta(minutes=12, seconds=41)]
        for index, (slot, talk) in enumerate(zip(slots[:2], talks, strict=True)):
            start = room.starts_at + index * length + dt.timedelta(seconds=20)
            stop = start + talk
            self._mark(slot, TimerMarkKind.START, start, secretary)
            self._mark(slot, TimerMarkKind.STOP, stop, secretary)
            quality = Decimal(self.rng.randint(76, 90)) / 100
            for n, expert in enumerate(m.expert for m in scorers(slot)):
                moment = stop + dt.timedelta(minutes=2, seconds=10 + 17 * n)
                self._sheet(slot, expert, sheet, quality, moment)
            slot.state = SlotState.DONE
            slot.opened_at = start
            slot.finished_at = stop + dt.timedelta(minutes=event.question_minutes, seconds=30)
            slot.score = slot_score(slot, event).score.score
            slot.save(update_fields=["state", "opened_at", "finished_at", "score"])
        presenting = slots[2]
        start = self.now - dt.timedelta(minutes=4)
        self._mark(presenting, TimerMarkKind.START, start, secretary)
        quality = Decimal(self.rng.randint(76, 90)) / 100
        early = [m.expert for m in scorers(presenting) if m.expert != current][:2]
        for n, expert in enumerate(early):
            self._sheet(presenting, expert, sheet, quality, start + dt.timedelta(seconds=150 + n))
        presenting.state = SlotState.PRESENTING
        presenting.opened_at = start
        presenting.save(update_fields=["state", "opened_at"])
        room.state = RoomState.RUNNING
        room.current = presenting
        room.save(update_fields=["state", "current"])

    def _mark(self, slot: Slot, kind: TimerMarkKind, at: dt.datetime, by: User | None) -> None:
        TimerMark.objects.create(slot=slot, kind=kind, at=at, by=by)

    def _sheet(
        self,
        slot: Slot,
        expert: User,
        sheet: list[SheetItem],
        quality: Decimal,
        moment: dt.datetime,
    ) -> None:
        points = presentation_points(self.rng, sheet, quality)
        items = [{"position": p, "points": f"{value:.1f}"} for p, value in points.items()]
        total = sum(points.values(), Decimal(0))
        PresentationSheet.objects.create(
            slot=slot,
            expert=expert,
            state=SheetState.SUBMITTED,
            items=items,
            total=total,
            comment=self.rng.choice(SHEET_COMMENTS),
            submitted_at=moment,
        )


def _recusal_reason(code: str) -> str:
    if code == "enterprise":
        return "该专家任职于申报单位，本队回避评分。"
    return "该专家为推荐单位人员，本队回避评分。"
