"""Importing past editions' documents into the archive from a ZIP with a CSV or Excel index."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from banzu.core import filestore
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening.jobs import ARCHIVE_IMPORT
from banzu.screening.models import ArchiveDocument
from tests.conftest import client_for
from tests.screening.test_scan import archive_document, chinese_text, docx_bytes, extracted

ENGLISH = ["year", "enterprise", "team", "title", "file"]
CHINESE = ["年份", "单位名称", "班组名称", "经验名称", "文件"]


def csv_index(rows: list[list[str]], header: list[str] = ENGLISH) -> bytes:
    lines = [",".join(header)] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def xlsx_index(rows: list[list[object]], header: list[str] = CHINESE) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def make_zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def post_zip(user, content: bytes, capture, name: str = "archive.zip"):
    with capture(execute=True):
        return client_for(user).post(
            reverse("screening:import_archive"), {"file": SimpleUploadedFile(name, content)}
        )


def test_import_from_a_zip_with_a_csv_index(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    first, second = chinese_text(11, 600), chinese_text(12, 600)
    content = make_zip(
        {
            "index.csv": csv_index(
                [
                    ["2024", "浙江甲建设有限公司", "钢筋班", "钢筋一次合格", "docs/a.docx"],
                    ["2023", "宁波乙建工集团有限公司", "模板班", "模板周转", "docs/b.docx"],
                ]
            ),
            "docs/a.docx": docx_bytes(tmp_path, first),
            "docs/b.docx": docx_bytes(tmp_path, second),
        }
    )

    response = post_zip(admin_user, content, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.done, job.total) == (JobState.DONE, 2, 2)
    assert job.summary == {
        "phase": "done",
        "rows": 2,
        "imported": 2,
        "unreadable": 0,
        "skipped": [],
        "errors": [],
    }
    rows = list(
        ArchiveDocument.objects.order_by("year").values_list(
            "year", "enterprise_name", "team_name", "title", "original_name", "text", "error"
        )
    )
    assert rows == [
        (2023, "宁波乙建工集团有限公司", "模板班", "模板周转", "b.docx", extracted(second), ""),
        (2024, "浙江甲建设有限公司", "钢筋班", "钢筋一次合格", "a.docx", extracted(first), ""),
    ]
    # The uploaded ZIP is gone; each document's file is in the private store.
    stored = set(ArchiveDocument.objects.values_list("stored_name", flat=True))
    assert set(filestore.stored_files()) == stored
    assert all(filestore.path_for(name).is_file() for name in stored)


def test_import_from_a_zip_with_an_excel_index_and_chinese_headers(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    text = chinese_text(13, 600)
    content = make_zip(
        {
            "目录.xlsx": xlsx_index(
                [[2022, "浙江丙建设有限公司", "水电班", "管线综合", "材料/丙.docx"]]
            ),
            "材料/丙.docx": docx_bytes(tmp_path, text),
        }
    )

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.summary["imported"], job.summary["errors"]) == (JobState.DONE, 1, [])
    document = ArchiveDocument.objects.get()
    assert (document.year, document.enterprise_name, document.team_name, document.title) == (
        2022,
        "浙江丙建设有限公司",
        "水电班",
        "管线综合",
    )
    assert (document.original_name, document.text) == ("丙.docx", extracted(text))


def test_import_reports_bad_rows_and_skips_duplicates(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    good = docx_bytes(tmp_path, chinese_text(14, 600))
    content = make_zip(
        {
            "index.csv": csv_index(
                [
                    ["2024", "甲公司", "钢筋班", "好", "good.docx"],
                    ["2024", "乙公司", "模板班", "缺", "missing.docx"],
                    ["二〇二四", "丙公司", "水电班", "年", "good.docx"],
                    ["2024", "丁公司", "瓦工班", "假", "fake.docx"],
                    ["2024", "戊公司", "木工班", "重", "copy.docx"],
                    ["2024", "", "木工班", "无单位", "good.docx"],
                ]
            ),
            "good.docx": good,
            "copy.docx": good,
            "fake.docx": b"this is not a Word file",
        }
    )

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.done, job.total) == (JobState.DONE, 6, 6)
    assert job.summary["imported"] == 1
    # The summary keeps codes, worded when read (test_archive_messages).
    assert job.summary["errors"] == [
        {"row": 3, "code": "not_in_zip", "params": {"file": "missing.docx"}},
        {"row": 4, "code": "year", "params": {"value": "二〇二四"}},
        {
            "row": 5,
            "code": "refused",
            "params": {"upload": "magic", "max_bytes": 100 * 1024 * 1024},
        },
        {"row": 7, "code": "no_enterprise", "params": {}},
    ]
    assert job.summary["skipped"] == [{"row": 6, "code": "duplicate", "params": {}}]
    assert list(ArchiveDocument.objects.values_list("enterprise_name", flat=True)) == ["甲公司"]


def test_import_refuses_a_zip_with_an_unsafe_path(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    content = make_zip(
        {
            "index.csv": csv_index([["2024", "甲公司", "钢筋班", "好", "../evil.docx"]]),
            "../evil.docx": docx_bytes(tmp_path, chinese_text(15, 300)),
        }
    )

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.error) == (
        JobState.FAILED,
        "The file contains unsafe internal paths and was refused.",
    )
    assert ArchiveDocument.objects.count() == 0
    assert list(filestore.stored_files()) == []


def test_import_without_an_index_fails_with_the_reason(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    content = make_zip({"a.docx": docx_bytes(tmp_path, chinese_text(16, 300))})

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.error) == (
        JobState.FAILED,
        "The ZIP holds no index file (a .csv or .xlsx listing the documents).",
    )


def test_import_of_a_file_that_is_not_a_zip_shows_the_form_error(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    response = post_zip(admin_user, b"hello", django_capture_on_commit_callbacks, name="a.txt")

    assert response.status_code == 400
    assert "Upload a .zip file." in response.content.decode()
    assert Job.objects.count() == 0


def test_import_status_partial_lists_row_errors(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    content = make_zip({"index.csv": csv_index([["2024", "甲公司", "钢筋班", "好", "x.docx"]])})
    post_zip(admin_user, content, django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=ARCHIVE_IMPORT)

    response = client_for(admin_user).get(reverse("jobs:status", args=[job.pk]))

    html = response.content.decode()
    assert "Import finished" in html
    row = "<td>2</td><td>The file “x.docx” is not in the ZIP.</td>"
    assert f'<tr class="row-error">{row}</tr>' in html


def test_archive_page_lists_the_documents(open_edition, admin_user):
    archive_document(admin_user, year=2024, enterprise="甲公司", team="钢筋班", text="文本")
    unreadable = archive_document(
        admin_user, year=2023, enterprise="乙公司", team="模板班", text=""
    )
    ArchiveDocument.objects.filter(pk=unreadable.pk).update(error="no text found")

    response = client_for(admin_user).get(reverse("screening:archive"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 documents" in html
    assert '<td data-label="Enterprise">甲公司</td>' in html
    assert '<td data-label="Enterprise">乙公司</td>' in html
    assert "no text found" in html
    assert 'enctype="multipart/form-data"' in html


@pytest.mark.parametrize("count", [1, 3])
def test_archive_page_queries_do_not_grow_with_the_documents(open_edition, admin_user, count):
    client = client_for(admin_user)
    archive_document(admin_user, year=2020, enterprise="甲公司", team="班", text="一")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("screening:archive"))
    for number in range(count):
        archive_document(
            admin_user, year=2021, enterprise="乙公司", team=f"班{number}", text=f"{number}"
        )

    with CaptureQueriesContext(connection) as more:
        client.get(reverse("screening:archive"))

    assert len(more) == len(one)
