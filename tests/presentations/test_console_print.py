"""The paper fallback: the room's blank presentation sheets, one page per team in drawn order."""

from __future__ import annotations

import io
import subprocess

from django.urls import reverse
from pypdf import PdfReader

from banzu.editions.selectors import presentation_sheet
from banzu.presentations import live, printing
from tests.conftest import client_for


def test_blank_sheets_layout_one_team_per_page_in_order(world):
    live.move_to_end(slot=world.slots_a[1], by=world.secretary_a)
    items = presentation_sheet(world.event.edition)

    document = printing.build(
        year=2026, room_name="第一分会场", items=items, teams=printing.teams_of(world.room_a)
    )

    names = [
        s.application.team.name for s in (world.slots_a[0], world.slots_a[2], world.slots_a[1])
    ]
    team_lines = [b.value for b in document.blocks if getattr(b, "label", "") == "班组名称："]
    assert team_lines == names
    assert sum(type(b).__name__ == "PageBreak" for b in document.blocks) == 2
    sheet = document.tables()[0]
    assert len(sheet.rows) == len(items) + 2  # header, the items, the total
    assert sheet.rows[-1][1].text == f"{printing.blank(sum(i.max_points for i in items))} 分"


def test_blank_sheets_pdf_from_the_console(world):
    response = client_for(world.secretary_a).get(
        reverse("presentations:blank_sheets", args=[world.room_a.pk])
    )
    content = b"".join([response.content])

    reader = PdfReader(io.BytesIO(content))
    assert response["Content-Type"] == "application/pdf"
    assert len(reader.pages) == 3
    texts = [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-", "-"],
            input=content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for n in (1, 2, 3)
    ]
    for text, slot in zip(texts, world.slots_a, strict=True):
        assert slot.application.team.name in text
        assert "评委签名" in text


def test_blank_sheets_are_404_for_another_rooms_secretary(world):
    response = client_for(world.secretary_b).get(
        reverse("presentations:blank_sheets", args=[world.room_a.pk])
    )

    assert response.status_code == 404


def test_blank_sheets_pdf_keeps_every_item_title_whole(edition):
    # The seeded sheet's 内容与典型经验 and 时间控制与答辩 broke in two; a long title an admin
    # sets still wraps in its cell.
    from banzu.documents.render import render
    from bench import print_check as check

    items = presentation_sheet(edition)
    team = printing.Team(1, "杭-2026-001", "浙江甲建设有限公司", "钢筋班", "数控弯箍")
    document = printing.build(year=2026, room_name="第一分会场", items=items, teams=[team])

    text = check.pdf_text(render(document, "pdf"))

    assert check.broken_labels(text, check.labels_of(document)) == []
    assert {"内容与典型经验", "时间控制与答辩"} <= {item.title for item in items}
