"""The archive import's reasons are kept as codes and worded in the reader's language when shown
(issue 16, item 8: the failure text was English in the Chinese interface)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from banzu.applications.messages import upload_message
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening import archive
from banzu.screening.archive_messages import archive_message, reason, row_message
from banzu.screening.jobs import ARCHIVE_IMPORT
from banzu.screening.models import ArchiveDocument
from tests.conftest import client_for
from tests.screening.test_archive import csv_index, make_zip, post_zip, xlsx_index
from tests.screening.test_scan import chinese_text, docx_bytes

MB100 = 100 * 1024 * 1024


def imported(admin_user, content: bytes, capture) -> Job:
    post_zip(admin_user, content, capture)
    return Job.objects.get(kind=ARCHIVE_IMPORT)


def test_rows_of_other_kinds_too_long_or_damaged_are_kept_as_codes(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    good = docx_bytes(tmp_path, chinese_text(31, 300))
    content = make_zip(
        {
            "index.csv": csv_index(
                [
                    ["2024", "甲公司", "钢筋班", "笔记", "notes.txt"],
                    ["2024", "乙公司", "模板班", "无扩展名", "README"],
                    ["2024", "丙公司", "水电班", "长" * 201, "good.docx"],
                    ["2024", "丁公司", "瓦工班", "无文件", ""],
                ]
            ),
            "notes.txt": "笔记".encode(),
            "README": b"read me",
            "good.docx": good,
        }
    )

    job = imported(admin_user, content, django_capture_on_commit_callbacks)

    assert (job.state, job.summary["imported"], job.summary["skipped"]) == (JobState.DONE, 0, [])
    assert job.summary["errors"] == [
        {"row": 2, "code": "kind", "params": {"file": "notes.txt"}},
        {"row": 3, "code": "kind", "params": {"file": "README"}},
        {"row": 4, "code": "too_long", "params": {"field": "title", "max": 200}},
        {"row": 5, "code": "no_file", "params": {}},
    ]
    assert [reason(item) for item in job.summary["errors"]] == [
        "“notes.txt” is not a Word, PDF or PowerPoint file (.docx, .pdf, .pptx).",
        "“README” is not a Word, PDF or PowerPoint file (.docx, .pdf, .pptx).",
        "The experience title is longer than 200 characters.",
        "No file is given.",
    ]
    assert ArchiveDocument.objects.count() == 0


def test_a_damaged_file_in_the_zip_is_that_rows_error_not_the_imports_end(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    first, second = (docx_bytes(tmp_path, chinese_text(n, 300)) for n in (32, 33))
    content = bytearray(
        make_zip(
            {
                "index.csv": csv_index(
                    [
                        ["2024", "甲公司", "钢筋班", "坏", "bad.docx"],
                        ["2024", "乙公司", "模板班", "好", "good.docx"],
                    ]
                ),
                "bad.docx": first,
                "good.docx": second,
            }
        )
    )
    # Flip a byte in the middle of bad.docx's compressed data: its CRC no longer matches.
    start = bytes(content).index(b"bad.docx") + len("bad.docx") + 200
    content[start] ^= 0xFF

    job = imported(admin_user, bytes(content), django_capture_on_commit_callbacks)

    assert (job.state, job.summary["imported"]) == (JobState.DONE, 1)
    assert job.summary["errors"] == [{"row": 2, "code": "damaged", "params": {"file": "bad.docx"}}]
    assert reason(job.summary["errors"][0]) == "The file “bad.docx” is damaged in the ZIP."
    assert list(ArchiveDocument.objects.values_list("enterprise_name", flat=True)) == ["乙公司"]


def test_a_long_value_from_the_index_is_cut_in_the_summary(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    job = imported(
        admin_user,
        make_zip({"index.csv": csv_index([["2024", "甲公司", "班", "题", "x" * 300 + ".docx"]])}),
        django_capture_on_commit_callbacks,
    )

    assert job.summary["errors"] == [
        {"row": 2, "code": "not_in_zip", "params": {"file": "x" * archive.PARAM_LIMIT}}
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"index.csv": b"year,enterprise,team\n2024,a,b\n"},
            "The index index.csv lacks the column(s) file/文件 (year/年份, "
            "enterprise/单位名称, team/班组名称, title/经验名称, file/文件).",
        ),
        (
            {"目录.xlsx": xlsx_index([], header=["单位名称", "班组名称"])},
            "The index 目录.xlsx lacks the column(s) year/年份, file/文件 (year/年份, "
            "enterprise/单位名称, team/班组名称, title/经验名称, file/文件).",
        ),
        ({"index.csv": b""}, "The index index.csv is empty."),
        (
            {"index.csv": b"\xff\xfe\x00\xd8 not text \x81"},
            "The CSV index index.csv is neither UTF-8 nor GBK text.",
        ),
        (
            {"index.xlsx": b"not a workbook"},
            "The index index.xlsx is not a readable Excel workbook.",
        ),
        ({"a.docx": b"PK"}, "The ZIP holds no index file (a .csv or .xlsx listing the documents)."),
    ],
)
def test_an_import_that_cannot_start_fails_with_its_reason(
    open_edition, admin_user, django_capture_on_commit_callbacks, files, message
):
    job = imported(admin_user, make_zip(files), django_capture_on_commit_callbacks)

    assert (job.state, job.error) == (JobState.FAILED, message)


def test_a_file_that_is_not_a_zip_fails_without_the_technical_detail(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    job = imported(admin_user, b"this is no zip at all", django_capture_on_commit_callbacks)

    assert (job.state, job.error) == (JobState.FAILED, "The file is not a readable ZIP archive.")


def test_the_zips_own_refusal_is_the_upload_message(tmp_path: Path, admin_user, monkeypatch):
    path = tmp_path / "many.zip"
    path.write_bytes(make_zip({f"{n}.csv": b"" for n in range(30)}))
    limits = archive.ZIP_LIMITS
    monkeypatch.setattr(
        archive, "ZIP_LIMITS", archive.Limits(max_bytes=limits.max_bytes, max_zip_entries=20)
    )

    with pytest.raises(archive.ArchiveError) as raised:
        archive.import_archive(path, user=admin_user, progress=lambda done, total: None)

    assert (raised.value.code, raised.value.params) == (
        "zip_refused",
        {"upload": "zip_bomb", "max_bytes": limits.max_bytes},
    )
    assert str(raised.value) == (
        "The file is malformed or unreasonably compressed and was refused."
    )


def test_a_sentence_given_as_the_code_is_shown_as_it_is():
    assert str(archive.ArchiveError("The import has no user to record as the importer.")) == (
        "The import has no user to record as the importer."
    )


def test_every_row_code_is_worded():
    cases = {
        ("year", ("value", "二〇二四")): "The year “二〇二四” is not a year.",
        ("no_enterprise", None): "The enterprise is missing.",
        ("no_file", None): "No file is given.",
        ("not_in_zip", ("file", "a.docx")): "The file “a.docx” is not in the ZIP.",
        ("damaged", ("file", "a.docx")): "The file “a.docx” is damaged in the ZIP.",
        ("duplicate", None): "The same file is already in the archive.",
        ("imported_before", None): "The same row and file name are already in the archive.",
        ("invalid", ("field", "enterprise_name")): "The enterprise is not valid.",
        ("invalid", ("field", "__all__")): "The __all__ is not valid.",
    }
    worded = {
        (code, param): row_message(code, dict([param]) if param else {}) for code, param in cases
    }

    assert worded == cases
    assert row_message("refused", {"upload": "too_large", "max_bytes": MB100}) == (
        "The file is too large: at most 100 MB is allowed."
    )
    assert archive_message("index_too_large", {"name": "目录.xlsx", "mb": 20}) == (
        "The index 目录.xlsx is larger than 20 MB."
    )
    assert archive_message("index_damaged", {"name": "目录.xlsx"}) == (
        "The index 目录.xlsx cannot be read from the ZIP (it is damaged)."
    )
    assert archive_message("index_csv", {"name": "index.csv"}) == (
        "The CSV index index.csv cannot be read."
    )


def test_the_status_partial_words_the_rows_in_the_readers_language(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    """The same stored summary, read by an admin in English and by one in Chinese."""
    content = make_zip(
        {
            "index.csv": csv_index(
                [
                    ["2024", "甲公司", "钢筋班", "假", "fake.docx"],
                    ["2024", "乙公司", "模板班", "好", "good.docx"],
                    ["2024", "丙公司", "水电班", "重", "good.docx"],
                ]
            ),
            "fake.docx": b"this is not a Word file",
            "good.docx": docx_bytes(tmp_path, chinese_text(34, 300)),
        }
    )
    job = imported(admin_user, content, django_capture_on_commit_callbacks)
    client = client_for(admin_user)
    url = reverse("jobs:status", args=[job.pk])

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    magic = (
        "The file&#x27;s content does not match its extension (for example a renamed file). "
        "Please save it again in the right format."
    )
    assert f'<tr class="row-error"><td>2</td><td>{magic}</td></tr>' in english
    skipped = "The same file is already in the archive."
    assert f'<tr class="row-skipped"><td>4</td><td>{skipped}</td></tr>' in english
    with translation.override("zh-hans"):
        magic_zh = upload_message("magic", MB100)
    assert "content does not match" not in magic_zh  # translated already
    assert f'<tr class="row-error"><td>2</td><td>{escape(magic_zh)}</td></tr>' in chinese


def test_a_summary_from_before_the_codes_shows_its_sentences(
    open_edition, admin_user, django_capture_on_commit_callbacks
):
    job = imported(
        admin_user,
        make_zip({"index.csv": csv_index([["2024", "甲公司", "班", "题", "x.docx"]])}),
        django_capture_on_commit_callbacks,
    )
    old = {
        "phase": "done",
        "rows": 2,
        "imported": 0,
        "unreadable": 0,
        "errors": [{"row": 2, "reason": "the file 'x.docx' is not in the ZIP"}],
        "skipped": [{"row": 3, "reason": "the same file is already in the archive"}],
    }
    Job.objects.filter(pk=job.pk).update(summary=old)

    html = client_for(admin_user).get(reverse("jobs:status", args=[job.pk])).content.decode()

    assert (
        '<tr class="row-error"><td>2</td><td>the file &#x27;x.docx&#x27; is not in the ZIP</td>'
        in html
    )
    assert (
        '<tr class="row-skipped"><td>3</td><td>the same file is already in the archive</td>' in html
    )
