"""Issue 17, item 15: the archive import offers its index template, which the import reads back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.screening.jobs import ARCHIVE_IMPORT
from banzu.screening.models import ArchiveDocument
from tests.conftest import client_for
from tests.screening.test_archive import make_zip, post_zip
from tests.screening.test_scan import chinese_text, docx_bytes


def test_the_archive_page_links_the_index_template_and_states_the_size_limit(
    open_edition, admin_user
):
    html = (
        client_for(admin_user)
        .get(reverse("screening:archive"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )

    assert f'href="{reverse("screening:archive_template")}"' in html
    assert "At most 500 MB." in html


def test_the_index_template_has_the_columns_the_import_reads(open_edition, admin_user):
    response = client_for(admin_user).get(reverse("screening:archive_template"))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["索引", "填写说明"]
    index = workbook["索引"]
    assert [c.value for c in index[1]] == ["年份*", "单位名称*", "班组名称", "经验名称", "文件*"]
    assert index.max_row == 1


def test_a_filled_in_template_imports(
    open_edition, admin_user, tmp_path: Path, django_capture_on_commit_callbacks
):
    template = client_for(admin_user).get(reverse("screening:archive_template")).content
    workbook = load_workbook(io.BytesIO(template))
    workbook["索引"].append([2023, "浙江丁建设有限公司", "架子班", "安全网格化", "丁.docx"])
    filled = io.BytesIO()
    workbook.save(filled)
    content = make_zip(
        {"索引.xlsx": filled.getvalue(), "丁.docx": docx_bytes(tmp_path, chinese_text(21, 600))}
    )

    post_zip(admin_user, content, django_capture_on_commit_callbacks)

    job = Job.objects.get(kind=ARCHIVE_IMPORT)
    assert (job.state, job.summary["imported"], job.summary["errors"]) == (JobState.DONE, 1, [])
    document = ArchiveDocument.objects.get()
    assert (document.year, document.enterprise_name, document.team_name) == (
        2023,
        "浙江丁建设有限公司",
        "架子班",
    )


@pytest.mark.parametrize("persona", ["recommender_hz", "applicant_a", "expert"])
def test_the_index_template_is_404_outside_the_province(request, open_edition, persona):
    user = request.getfixturevalue(persona)

    assert client_for(user).get(reverse("screening:archive_template")).status_code == 404
