"""2025's results in publicity with one objection waiting (banzu/demo/results.py), over the demo
built once for the folder (tests/demo/conftest.py)."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse

from banzu.accounts.models import User
from banzu.applications.models import Application
from banzu.core import filestore
from banzu.demo.results import ABSENT, GROUNDS
from banzu.editions.models import AwardTier
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PanelMember, PresentationSheet, Room, Slot
from banzu.presentations.selectors import scorers, slot_score
from banzu.publicity import services as publicity
from banzu.publicity.models import Objection, ObjectionState, Publicity
from banzu.results.models import ResultsSettings, ResultsVersion
from banzu.results.versions import verify

pytestmark = [pytest.mark.demo, pytest.mark.django_db]


def _team(pk: int) -> str:
    return Application.objects.get(pk=pk).team.name


@pytest.fixture
def version(demo) -> ResultsVersion:
    return ResultsVersion.objects.get(edition__year=2025)


@pytest.fixture
def admin(demo) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


def test_the_2025_event_was_held_with_one_team_absent(demo):
    rooms = list(Room.objects.filter(event__edition__year=2025).order_by("position"))
    assert [(room.name, room.state) for room in rooms] == [
        ("第一分会场", RoomState.CLOSED),
        ("第二分会场", RoomState.CLOSED),
    ]
    slots = Slot.objects.filter(event__edition__year=2025).select_related("application__team")
    assert Counter(slot.state for slot in slots) == {SlotState.DONE: 4, SlotState.ABSENT: 1}
    absent = slots.get(state=SlotState.ABSENT)
    assert (absent.application.team.name, absent.absent_reason) == ABSENT
    assert absent.score is None
    for slot in slots.filter(state=SlotState.DONE):
        expected = set(scorers(slot).values_list("expert_id", flat=True))
        sheets = PresentationSheet.objects.filter(slot=slot)
        assert set(sheets.values_list("expert_id", flat=True)) == expected
        assert set(sheets.values_list("state", flat=True)) == {SheetState.SUBMITTED}
        assert slot.score == slot_score(slot, slot.event).score.score
        assert [mark.kind for mark in slot.timer_marks.all()] == ["start", "stop"]
    # Every 2025 application went through the closing of its room, the absent team's too.
    states = Application.objects.filter(edition__year=2025).values_list("state", flat=True)
    assert Counter(states) == {"presented": 5}


def test_the_demo_expert_sits_on_no_2025_panel(demo):
    seats = PanelMember.objects.filter(room__event__edition__year=2025)
    assert seats.count() == 8
    assert seats.values("expert").distinct().count() == 8
    assert not seats.filter(expert__username="expert").exists()


def test_version_1_is_sealed_and_verifies(version):
    assert (version.number, version.state, version.reason) == (1, "sealed", "")
    assert version.sealed_by == User.objects.get(username="admin")
    assert verify(version) is None


def test_the_list_by_quota_with_the_room_awards_and_the_absent_team_apart(version):
    payload = version.payload
    settings = ResultsSettings.objects.get(edition__year=2025)
    assert (settings.non_presenter_tier, settings.room_award) == ("优秀奖", "最佳发布奖")
    assert list(
        AwardTier.objects.filter(edition__year=2025).values_list(
            "name", "quota", "edition__award_mode"
        )
    ) == [("一等奖", 1, "quota"), ("二等奖", 1, "quota"), ("三等奖", 2, "quota")]
    rows = sorted(payload["rows"], key=lambda row: row["rank"])
    assert [(row["rank"], row["tier"]) for row in rows] == [
        (1, "一等奖"),
        (2, "二等奖"),
        (3, "三等奖"),
        (4, "三等奖"),
    ]
    totals = [float(row["total"]) for row in rows]
    assert totals == sorted(totals, reverse=True)
    # One best presentation in each of the two rooms.
    awarded = Counter(row["room"] for row in rows if row["room_award"])
    assert awarded == dict.fromkeys(
        Room.objects.filter(event__edition__year=2025).values_list("pk", flat=True), 1
    )
    [apart] = payload["apart"]
    assert (_team(apart["application"]), apart["reason"], apart["detail"], apart["tier"]) == (
        ABSENT[0],
        "not_presented",
        ABSENT[1],
        "优秀奖",
    )


def test_the_publicity_window_contains_today(version):
    found = Publicity.objects.get(edition__year=2025)
    today = publicity.today()
    assert found.version == version
    assert (found.starts_on, found.working_days) == (today, 5)
    window = publicity.Window(starts_on=today, working_days=5, covered_until=found.covered_until)
    assert found.ends_on == window.ends_on()
    assert found.is_open_on(today)
    assert publicity.visible_publicity(2025) == found


def test_one_objection_waits_with_one_evidence_file(version, demo_files, settings, admin):
    settings.PRIVATE_FILES_ROOT = demo_files
    objection = Objection.objects.get(publicity__edition__year=2025)
    third = sorted(version.payload["rows"], key=lambda row: row["rank"])[2]
    assert objection.state == ObjectionState.RECEIVED
    assert (objection.decided_at, objection.reply) == (None, "")
    assert (objection.real_name, objection.objector_kind, objection.grounds) == (
        "陈志明",
        "person",
        GROUNDS,
    )
    assert objection.application_id == third["application"]
    [stored] = objection.files.all()
    assert (stored.role, stored.kind, stored.original_name) == (
        "evidence",
        "pdf",
        "获奖证书年份说明.pdf",
    )
    content = filestore.path_for(stored.stored_name).read_bytes()
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == stored.sha256
    assert stored.size == len(content)
    download = admin.get(
        reverse("publicity:file", kwargs={"pk": objection.pk, "file_pk": stored.pk})
    )
    assert b"".join(download.streaming_content) == content


def test_the_admin_switches_to_2025_and_sees_results_and_objection(admin, version):
    switched = admin.post(reverse("manage:edition_switch"), {"year": "2025", "next": "/results/"})
    assert switched["Location"] == "/results/"

    preview = admin.get(reverse("results:preview"))
    assert preview.context["edition"].year == 2025
    assert preview.context["unchanged"] is True  # the sealed version 1 is what computes now
    page = admin.get(reverse("results:version", kwargs={"number": 1})).content.decode()
    for row in version.payload["rows"]:
        assert _team(row["application"]) in page
    assert ABSENT[0] in page
    assert "最佳发布奖" in page

    objection = Objection.objects.get(publicity__edition__year=2025)
    listing = admin.get(reverse("publicity:objections", kwargs={"year": 2025}))
    assert [row.pk for row in listing.context["objections"]] == [objection.pk]
    assert objection.receipt in listing.content.decode()
    detail = admin.get(reverse("publicity:objection", kwargs={"pk": objection.pk}))
    assert detail.context["received"] is True
    assert GROUNDS in detail.content.decode()


def test_anyone_reads_the_2025_list_in_publicity(version):
    response = Client().get(reverse("publicity:public", kwargs={"year": 2025}))
    assert response.context["open_now"] is True
    listed = {(row.team, row.tier) for row in response.context["rows"]}
    tiers = {_team(row["application"]): row["tier"] for row in version.payload["rows"]}
    best = {_team(row["application"]) for row in version.payload["rows"] if row["room_award"]}
    expected = {
        (team, " · ".join([tier, "最佳发布奖"]) if team in best else tier)
        for team, tier in tiers.items()
    } | {(ABSENT[0], "优秀奖")}
    assert listed == expected


def test_the_demo_says_so(demo):
    assert (
        "Demo: 2025's presentation event held (防水施工班 absent), results version 1 sealed" in demo
    )
    assert "with one objection waiting" in demo
