"""Hostile or accidental input in the documents: formulas, control characters, file names,
stopped workers, refused look-ups."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from docx import Document as open_docx
from openpyxl import load_workbook
from pypdf import PdfReader

from banzu.audit.models import AuditEntry
from banzu.documents import docx, pdf, xlsx
from banzu.documents.model import Document, Line, Para, Table, clean_text, label, value
from banzu.documents.render import font_set, safe_filename
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.recommendations.jobs import start_build
from tests.conftest import client_for
from tests.documents.test_package import package_job
from tests.recommendations.conftest import score


def _form(name: str) -> Document:
    return Document(
        title="t",
        blocks=(
            Para("标题", "title", "center"),
            Line("推荐单位：", name),
            Table(widths=(10.0, 20.0), rows=((label("班组名称"), value(name)),), header_rows=0),
        ),
    )


def test_a_name_starting_with_equals_is_text_not_a_formula_in_excel():
    content = xlsx.render(_form('=HYPERLINK("http://evil.example","点击")'))

    sheet = load_workbook(io.BytesIO(content)).active
    formulas = [
        cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert formulas == []
    assert sheet["B3"].value == '=HYPERLINK("http://evil.example","点击")'
    assert sheet["A2"].value == '推荐单位：=HYPERLINK("http://evil.example","点击")'


def test_control_characters_pasted_from_word_are_cleaned_for_every_format():
    name = "钢筋\x0b加工班\x01\x7f\u202e班组"

    word = open_docx(io.BytesIO(docx.render(_form(name))))
    sheet = load_workbook(io.BytesIO(xlsx.render(_form(name)))).active
    text = PdfReader(io.BytesIO(pdf.render(_form(name), font_set()))).pages[0]

    assert clean_text(name) == "钢筋\n加工班班组"
    assert word.tables[0].cell(0, 1).text == "钢筋 加工班班组"
    assert sheet["B3"].value == "钢筋\n加工班班组"  # a line break inside an Excel cell
    assert "加工班班组" in text.extract_text()


def test_file_names_lose_separators_controls_and_bidi_overrides():
    assert safe_filename("附件1_申报表_../钢筋\u202e班\x7f:*") == "附件1_申报表_.._钢筋班___"
    assert safe_filename("...") == "document"


def test_a_build_whose_worker_stopped_is_queued_again_and_the_new_request_joins_it(
    open_edition, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    """A package build is resumable (it writes a fresh ZIP from the stored files): a build
    whose worker stopped is queued again for its next run, not failed, and asking again joins
    it rather than starting a second one."""
    stuck = package_job(
        hangzhou,
        open_edition,
        recommender_hz,
        state=JobState.RUNNING,
        updated_at=timezone.now() - dt.timedelta(minutes=16),
    )

    with django_capture_on_commit_callbacks(execute=False):
        fresh = start_build(recommender=hangzhou, edition=open_edition, user=recommender_hz)

    stuck.refresh_from_db()
    assert fresh.pk == stuck.pk
    assert (stuck.state, stuck.error) == (JobState.QUEUED, "")
    assert Job.objects.count() == 1


def test_a_running_build_that_moves_is_not_failed(
    open_edition, hangzhou, recommender_hz, django_capture_on_commit_callbacks
):
    running = package_job(
        hangzhou,
        open_edition,
        recommender_hz,
        state=JobState.RUNNING,
        # Its worker's heartbeat (every 10 s) moved it 20 s ago: alive (lost after 45 s).
        updated_at=timezone.now() - dt.timedelta(seconds=20),
    )

    with django_capture_on_commit_callbacks(execute=False):
        again = start_build(recommender=hangzhou, edition=open_edition, user=recommender_hz)

    assert again.pk == running.pk
    assert Job.objects.count() == 1


def test_refused_sheet_and_package_look_ups_are_in_the_journal(
    recommended, hangzhou, recommender_hz, recommender_nb
):
    sheet = score(recommended, recommender_hz, 80)

    client = client_for(recommender_nb)
    sheet_response = client.get(reverse("documents:attachment3_sheet", args=[sheet.pk, "pdf"]))
    package_response = client.get(reverse("documents:package_status", args=[hangzhou.pk]))

    assert (sheet_response.status_code, package_response.status_code) == (404, 404)
    denials = AuditEntry.objects.filter(action="access.denied").order_by("seq")
    assert [(e.actor_id, e.data) for e in denials.reverse()[:2]] == [
        (
            recommender_nb.pk,
            {"object": "package recommender", "id": str(hangzhou.pk), "code": "404"},
        ),
        (recommender_nb.pk, {"object": "score sheet", "id": str(sheet.pk), "code": "404"}),
    ]
