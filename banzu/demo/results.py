"""2025's results in publicity, with one objection waiting (issue 15).

The 2025 edition of banzu/demo/past.py is taken on through the services, inside its own
timeline: its presentation event of 18 June 2025 (two rooms, panels of four, the recorded draw,
every team's timer and its panel's sheets, one team absent, both rooms closed, so the
applications are `presented`), its results settings and award tiers (一等奖, 二等奖 and 三等奖 by
quota, 优秀奖 for the team that did not present, 最佳发布奖 for the best of each room), version 1
sealed, and the publicity window opened on the demo's today for five working days, where one
person has objected to a team with a PDF as evidence, not yet decided. The admin sees it all
after switching to 2025.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.core.files.uploadedfile import SimpleUploadedFile

from banzu.accounts.models import User
from banzu.applications.enums import ApplicationState
from banzu.applications.models import Application
from banzu.core.errors import ServiceError
from banzu.demo.past import SHANGHAI, YEAR
from banzu.demo.points import SHEET_COMMENTS, presentation_points
from banzu.editions.enums import AwardMode
from banzu.editions.models import AwardTier, Edition
from banzu.editions.selectors import SheetItem, presentation_sheet
from banzu.presentations import live, selectors, setup, setup_draw, setup_panels, timer
from banzu.presentations.enums import Selection, ShowScore, SlotState
from banzu.presentations.models import Event, PanelMember, Room, Slot
from banzu.presentations.sheets import submit_sheet
from banzu.publicity import services as publicity
from banzu.publicity.models import Objection, ObjectorKind, Publicity
from banzu.results.enums import TieRule
from banzu.results.forms import SettingsPage
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from banzu.review import services as review

EVENT_DAY = dt.date(YEAR, 6, 18)
VENUE = "浙江省人民大会堂"
ROOMS = [
    ("第一分会场", "浙江省人民大会堂 二楼 第一会议室", dt.time(9, 0)),
    ("第二分会场", "浙江省人民大会堂 二楼 第二会议室", dt.time(9, 0)),
]
PANEL_SIZE = 4
# The team that did not come, and why (it is listed apart, with the non-presenters' award).
ABSENT = ("防水施工班", "班组所在项目地下室突发渗漏抢修，全体成员在现场处置，未能到场发布。")
TIERS = [("一等奖", 1), ("二等奖", 1), ("三等奖", 2)]
NON_PRESENTER_TIER = "优秀奖"
ROOM_AWARD = "最佳发布奖"
# How long each presenting team talked, in order of presentation.
TALKS = [(11, 42), (12, 25), (11, 8), (12, 51)]
OBJECTOR = ("陈志明", "13857100218", "chen.zhiming@example.com")  # name, phone, e-mail
GROUNDS = (
    "该班组申报材料所列“近三年QC成果获省级奖项”中，有一项成果的获奖年份与我所了解的情况"
    "不符，疑似将班组成立前的成果计入。请协会核实相关获奖证书的年份和获奖班组名称。"
)


class Builder(Protocol):
    """What this module uses of banzu.demo.builder.DemoBuilder."""

    files: Any


def build_results(
    *, builder: Builder, admin: User, demo_expert: str, out: Callable[[str], None]
) -> Objection:
    rng = random.Random(YEAR)  # noqa: S311 - reproducible demo content
    edition = Edition.objects.get(year=YEAR)
    if Application.objects.filter(edition=edition, state=ApplicationState.UNDER_REVIEW).exists():
        review.finish_review(edition=edition, by=admin)
    event = _event(edition, admin, demo_expert)
    for room in event.rooms.order_by("position"):
        _run(room, event, admin, rng)
    _settings(edition, admin)
    version = seal(edition, by=admin)
    window = _publicity(edition, version, admin)
    objection = _objection(window, version, builder.files.pdf)
    out(
        f"Demo: {YEAR}'s presentation event held ({ABSENT[0]} absent), results version 1 sealed, "
        f"in publicity {window.starts_on:%Y-%m-%d} to {window.ends_on:%Y-%m-%d} with one "
        f"objection waiting ({objection.receipt})."
    )
    return objection


# --- The event, set up and drawn ---------------------------------------------------------------


def _event(edition: Edition, admin: User, demo_expert: str) -> Event:
    event = setup.save_event(
        edition=edition,
        by=admin,
        fields={
            "starts_on": EVENT_DAY,
            "venue": VENUE,
            "panel_size": PANEL_SIZE,
            "selection": Selection.ALL_SCORED,
            "show_score": ShowScore.AFTER_TEAM,
        },
    )
    setup.select_presenters(event=event, by=admin)
    for name, place, starts in ROOMS:
        setup.save_room(
            event=event,
            by=admin,
            fields={
                "name": name,
                "place": place,
                "starts_at": dt.datetime.combine(EVENT_DAY, starts, tzinfo=SHANGHAI),
            },
        )
    setup.distribute(event=event, by=admin)
    setup_panels.assign_panels(event=event, by=admin)
    _keep_off_panels(event, admin, demo_expert)
    for room in event.rooms.order_by("position"):
        seed = hashlib.sha256(f"banzu-demo-{YEAR}-room-{room.position}".encode()).hexdigest()
        setup_draw.draw_room(room=room, by=admin, seed=seed)
    return event


def _keep_off_panels(event: Event, admin: User, username: str) -> None:
    """The demo expert's work is 2026's (banzu/demo/review.py, event.py): a free colleague takes
    their seat, should the assignment have given them one."""
    seat = PanelMember.objects.filter(room__event=event, expert__username=username).first()
    if seat is None:
        return
    free = [p.user for p in setup_panels.free_experts(event) if p.user.username != username]
    for colleague in free:
        try:
            setup_panels.swap_member(room=seat.room, old=seat.expert, new=colleague, by=admin)
        except ServiceError:
            continue  # a conflict would leave a team too few scorers: the next colleague
        return
    raise AssertionError("the demo pool has a free expert for the 2025 panels")


# --- The rooms, run by the admin at the console ------------------------------------------------


def _run(room: Room, event: Event, admin: User, rng: random.Random) -> None:
    sheet = presentation_sheet(event.edition)
    length = dt.timedelta(minutes=selectors.slot_minutes(event))
    moment = room.starts_at
    while True:
        room.refresh_from_db()
        upcoming = selectors.next_slot(room)
        if upcoming is not None and upcoming.application.team.name == ABSENT[0]:
            live.mark_absent(slot=upcoming, by=admin, reason=ABSENT[1], now=moment)
            continue
        opened = live.open_next(room=room, by=admin, now=moment)
        if opened is None:
            break
        _present(opened, admin, sheet, moment, rng)
        moment += length
    live.close_room(room=room, by=admin, now=moment)


def _present(
    slot: Slot, admin: User, sheet: list[SheetItem], opened: dt.datetime, rng: random.Random
) -> None:
    done = Slot.objects.filter(event_id=slot.event_id, state=SlotState.DONE).count()
    minutes, seconds = TALKS[done % len(TALKS)]
    start = opened + dt.timedelta(seconds=20)
    stop = start + dt.timedelta(minutes=minutes, seconds=seconds)
    live.timer_event(slot=slot, kind=timer.EventKind.START, by=admin, now=start)
    live.timer_event(slot=slot, kind=timer.EventKind.STOP, by=admin, now=stop)
    quality = Decimal(rng.randint(74, 92)) / 100
    for n, member in enumerate(selectors.scorers(slot)):
        points = presentation_points(rng, sheet, quality)
        submit_sheet(
            slot=slot,
            expert=member.expert,
            points={position: f"{value:.1f}" for position, value in points.items()},
            comment=rng.choice(SHEET_COMMENTS),
            client_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            now=stop + dt.timedelta(minutes=2, seconds=10 + 17 * n),
        )


# --- Settings, seal, publicity, the objection ---------------------------------------------------


def _settings(edition: Edition, admin: User) -> None:
    """The settings page as the admin fills it in: the tiers by quota, the two other awards."""
    settings = settings_for(edition)
    existing = list(AwardTier.objects.filter(edition=edition).order_by("position"))
    data: dict[str, Any] = {
        "tie_rule": TieRule.PRESENTATION_FIRST,
        "award_mode": AwardMode.QUOTA,
        "non_presenter_tier": NON_PRESENTER_TIER,
        "room_award": ROOM_AWARD,
        "publicity_working_days": settings.publicity_working_days,
        "tiers-TOTAL_FORMS": max(len(existing), len(TIERS)),
        "tiers-INITIAL_FORMS": len(existing),
    }
    for index in range(max(len(existing), len(TIERS))):
        prefix = f"tiers-{index}-"
        if index < len(existing):
            data[prefix + "id"] = existing[index].pk
        if index < len(TIERS):
            name, quota = TIERS[index]
            data |= {prefix + "position": index + 1, prefix + "name": name, prefix + "quota": quota}
        else:
            data |= {prefix + "position": existing[index].position, prefix + "DELETE": "on"}
    page = SettingsPage(data, settings=settings)
    if not page.is_valid() or page.save(by=admin) is None:
        raise AssertionError(f"the demo's results settings were refused: {page.form.errors}")


def _publicity(edition: Edition, version: ResultsVersion, admin: User) -> Publicity:
    today = publicity.today()
    days = settings_for(edition).publicity_working_days
    window = publicity.Window(starts_on=today, working_days=days)
    try:
        window.ends_on()
    except ServiceError as error:
        if error.code != "calendar":
            raise
        # Past the installed holiday tables, the admin enters that no day off is announced for
        # the next month: the window then counts Monday to Friday.
        window = publicity.Window(
            starts_on=today, working_days=days, covered_until=today + dt.timedelta(days=31)
        )
    return publicity.open_publicity(edition, window, by=admin)


def _objection(window: Publicity, version: ResultsVersion, pdf: bytes) -> Objection:
    """A person objects to the third team of the list, with a PDF as evidence."""
    third = sorted(version.payload["rows"], key=lambda row: row["rank"])[2]
    return publicity.file_objection(
        window,
        publicity.ObjectionData(
            objector_kind=ObjectorKind.PERSON,
            real_name=OBJECTOR[0],
            organisation="",
            phone=OBJECTOR[1],
            email=OBJECTOR[2],
            application_id=third["application"],
            grounds=GROUNDS,
            evidence=(SimpleUploadedFile("获奖证书年份说明.pdf", pdf),),
        ),
    )
