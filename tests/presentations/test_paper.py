"""The admin types in an expert's paper sheet after the event, with its scan; the sheet says who
typed it wherever it appears."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from banzu.audit.models import AuditEntry
from banzu.core import filestore
from banzu.presentations.enums import RoomState, SheetState, SlotState
from banzu.presentations.models import PanelMember, PresentationSheet, Recusal, Slot
from tests.conftest import client_for
from tests.uploads import samples

POINTS = {"points_1": "5", "points_2": "3.5", "points_3": "4", "points_4": "2", "points_5": "2.5"}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def closed_room(world):
    """Room A after the event: every team presented, the room closed."""
    Slot.objects.filter(room=world.room_a).update(state=SlotState.DONE)
    world.room_a.state = RoomState.CLOSED
    world.room_a.current = None
    world.room_a.save()
    return world.room_a


def post_paper(client, room, slot, expert, scan, **extra):
    data = {"room": room.pk, "slot": slot.pk, "expert": expert.pk, "comment": "纸质评分表"}
    return client.post(reverse("presentations:paper"), data | POINTS | extra | {"scan": scan})


def test_admin_enters_a_paper_sheet_with_its_pdf_scan(world, closed_room, admin_user, tmp_path):
    slot, expert = world.slots_a[1], world.panel_a[2]
    pdf = samples.make_pdf(tmp_path / "scan.pdf").read_bytes()

    response = post_paper(
        client_for(admin_user),
        closed_room,
        slot,
        expert,
        SimpleUploadedFile("评分表.pdf", pdf, content_type="image/png"),
    )

    sheet = PresentationSheet.objects.get(slot=slot, expert=expert)
    assert response.status_code == 302
    assert (sheet.state, sheet.total, sheet.entered_by, sheet.comment) == (
        SheetState.SUBMITTED,
        Decimal("17.0"),
        admin_user,
        "纸质评分表",
    )
    assert filestore.path_for(sheet.scan_path).read_bytes() == pdf
    entry = AuditEntry.objects.get(action="presentations.sheet.submitted")
    assert (entry.actor_id, entry.data["paper"], entry.data["entered_by"]) == (
        admin_user.pk,
        True,
        admin_user.pk,
    )
    assert entry.data["scan_sha256"] == sheet.scan_sha256
    assert entry.data["expert"] == expert.pk


def test_a_png_scan_is_accepted_and_downloads_for_the_admin(world, closed_room, admin_user):
    client = client_for(admin_user)
    post_paper(
        client,
        closed_room,
        world.slots_a[0],
        world.panel_a[1],
        SimpleUploadedFile("scan.png", png_bytes()),
    )
    sheet = PresentationSheet.objects.get(expert=world.panel_a[1])

    download = client.get(reverse("presentations:sheet_scan", args=[sheet.pk]))

    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content) == png_bytes()
    assert AuditEntry.objects.filter(action="presentations.scan_download").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.gif", b"GIF89a....", "Attach the scan as a PDF, JPEG or PNG file."),
        ("scan.png", b"%PDF-1.7 not an image", "The file content does not match its extension."),
        ("scan.jpg", b"\xff\xd8\xff\xe0broken", "The file could not be opened; it may be damaged."),
    ],
)
def test_a_scan_that_is_not_a_pdf_jpeg_or_png_is_refused(
    world, closed_room, admin_user, name, content, message
):
    response = post_paper(
        client_for(admin_user),
        closed_room,
        world.slots_a[0],
        world.panel_a[1],
        SimpleUploadedFile(name, content),
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert PresentationSheet.objects.count() == 0
    assert list(filestore.stored_files()) == []
    assert AuditEntry.objects.get(action="presentations.scan_rejected").actor_id == admin_user.pk


def test_a_refused_paper_sheet_keeps_no_scan(world, closed_room, admin_user):
    member = PanelMember.objects.get(room=closed_room, expert=world.panel_a[3])
    Recusal.objects.create(member=member, slot=world.slots_a[0], reason="同一企业")

    response = post_paper(
        client_for(admin_user),
        closed_room,
        world.slots_a[0],
        world.panel_a[3],
        SimpleUploadedFile("scan.png", png_bytes()),
    )

    assert response.status_code == 400
    assert "You are recused from this team and do not score it." in response.content.decode()
    assert PresentationSheet.objects.count() == 0
    assert list(filestore.stored_files()) == []
    assert AuditEntry.objects.get(action="presentations.sheet_refused").data["code"] == "recused"


def test_over_max_points_on_paper_are_named_and_nothing_is_stored(world, closed_room, admin_user):
    response = post_paper(
        client_for(admin_user),
        closed_room,
        world.slots_a[0],
        world.panel_a[1],
        SimpleUploadedFile("scan.png", png_bytes()),
        points_4="3.5",
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "At most 3 points." in page
    assert 'value="3.5"' in page
    assert PresentationSheet.objects.count() == 0
    assert list(filestore.stored_files()) == []


def test_a_paper_sheet_says_who_typed_it_wherever_it_appears(world, closed_room, admin_user):
    expert = world.panel_a[1]
    post_paper(
        client_for(admin_user),
        closed_room,
        world.slots_a[0],
        expert,
        SimpleUploadedFile("scan.png", png_bytes()),
    )
    name = admin_user.display_name

    phone = client_for(expert).get(
        reverse("presentations:score", args=[closed_room.pk]) + f"?slot={world.slots_a[0].pk}"
    )
    chair = client_for(admin_user).get(reverse("presentations:chair_sheets", args=[closed_room.pk]))
    paper = client_for(admin_user).get(reverse("presentations:paper") + f"?room={closed_room.pk}")

    for response in (phone, chair, paper):
        assert f"ntered from paper by {name}" in response.content.decode()


@pytest.mark.parametrize("who", ["applicant_a", "secretary_a", "chair"])
def test_only_the_admin_enters_paper_sheets(world, request, who):
    user = world.panel_a[0] if who == "chair" else getattr(world, who, None)
    user = user or request.getfixturevalue(who)

    response = client_for(user).get(reverse("presentations:paper"))

    assert response.status_code == 404
    assert AuditEntry.objects.get(action="access.denied").actor_id == user.pk


def test_a_paper_sheet_typed_after_closing_counts_in_the_recorded_score(
    world, closed_room, admin_user
):
    """The room's scores were recorded when it closed; a paper sheet typed afterwards is part
    of the team's score from then on (here the only sheet: 17.0 → 17.00)."""
    slot, expert = world.slots_a[1], world.panel_a[2]

    post_paper(
        client_for(admin_user),
        closed_room,
        slot,
        expert,
        SimpleUploadedFile("评分表.png", png_bytes(), content_type="image/png"),
    )

    slot.refresh_from_db()
    assert slot.score == Decimal("17.00")
