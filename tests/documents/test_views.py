"""Downloading the official forms: who may download what, and how the file arrives."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document as open_docx
from pypdf import PdfReader

from banzu.accounts.enums import Role
from banzu.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.recommendations.conftest import score

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _disposition(filename: str) -> str:
    return f"attachment; filename*=utf-8''{quote(filename)}"


def _a1(application, fmt: str) -> str:
    return reverse("documents:attachment1", args=[application.pk, fmt])


# --- Attachment 1 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),
        ("recommender_hz", 200),
        ("admin_user", 200),
        ("applicant_b", 404),
        ("recommender_nb", 404),
        ("expert", 404),
    ],
)
def test_attachment1_pdf_by_persona(request, recommended, persona, status):
    user = recommended.created_by if persona == "owner" else request.getfixturevalue(persona)
    before = AuditEntry.objects.filter(action="export.attachment1").count()

    response = client_for(user).get(_a1(recommended, "pdf"))

    assert response.status_code == status
    exported = AuditEntry.objects.filter(action="export.attachment1").count() - before
    assert exported == (1 if status == 200 else 0)
    if status == 200:
        assert (
            response["Content-Type"],
            response["Content-Disposition"],
            response["X-Content-Type-Options"],
            response["Cache-Control"],
        ) == (
            "application/pdf",
            _disposition("附件1_申报表_钢筋班.pdf"),
            "nosniff",
            "private, no-store",
        )
        text = _pdf_text(response.content)
        assert "钢筋班" in text
        assert recommended.recommendation_number in text


def test_attachment1_word_for_the_enterprise(recommended):
    response = client_for(recommended.created_by).get(_a1(recommended, "docx"))

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        DOCX,
        _disposition("附件1_申报表_钢筋班.docx"),
    )
    word = open_docx(io.BytesIO(response.content))
    assert word.tables[0].rows[5].cells[-1].text == "钢筋班"


def test_attachment1_of_another_enterprise_is_404_and_recorded(recommended, applicant_b):
    response = client_for(applicant_b).get(_a1(recommended, "pdf"))

    assert response.status_code == 404
    denial = AuditEntry.objects.filter(action="access.denied").order_by("-seq").first()
    assert denial.data == {"object": "application", "id": str(recommended.pk), "code": "404"}


@pytest.mark.parametrize("fmt", ["xlsx", "txt", "PDF"])
def test_attachment1_in_another_format_is_404(recommended, fmt):
    response = client_for(recommended.created_by).get(_a1(recommended, fmt))

    assert response.status_code == 404


def test_attachment1_sends_anonymous_users_to_login(client, recommended):
    response = client.get(_a1(recommended, "pdf"))

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_the_application_pages_link_attachment1(recommended, recommender_hz):
    detail = client_for(recommended.created_by).get(
        reverse("applications:detail", args=[recommended.pk])
    )
    review = client_for(recommender_hz).get(
        reverse("recommendations:review", args=[recommended.pk])
    )

    for page in (detail, review):
        html = page.content.decode()
        assert f'href="{_a1(recommended, "docx")}"' in html
        assert f'href="{_a1(recommended, "pdf")}"' in html


# --- Attachment 2 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("pdf", "application/pdf"),
        ("docx", DOCX),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_attachment2_in_each_format(recommended, hangzhou, recommender_hz, fmt, content_type):
    response = client_for(recommender_hz).get(
        reverse("recommendations:attachment2", args=[hangzhou.pk, fmt])
    )

    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        content_type,
        _disposition(f"附件2_推荐汇总表_2026_杭州.{fmt}"),
    )
    if fmt == "pdf":
        text = _pdf_text(response.content)
        assert "杭-2026-001" in text
        assert "推荐单位（盖章）：杭州市建筑业协会" in text
    if fmt == "docx":
        table = open_docx(io.BytesIO(response.content)).tables[0]
        assert [cell.text for cell in table.rows[1].cells[:4]] == [
            "1",
            "杭-2026-001",
            "浙江钢筋班建设有限公司",
            "钢筋班",
        ]


def test_attachment2_of_another_region_and_unknown_formats_are_404(
    recommended, hangzhou, recommender_hz, recommender_nb
):
    other = client_for(recommender_nb).get(
        reverse("recommendations:attachment2", args=[hangzhou.pk, "pdf"])
    )
    csv = client_for(recommender_hz).get(
        reverse("recommendations:attachment2", args=[hangzhou.pk, "csv"])
    )

    assert (other.status_code, csv.status_code) == (404, 404)


def test_the_batch_page_links_attachment2_in_three_formats(recommended, hangzhou, recommender_hz):
    html = client_for(recommender_hz).get(reverse("recommendations:batch")).content.decode()

    for fmt in ("xlsx", "docx", "pdf"):
        assert f'href="{reverse("recommendations:attachment2", args=[hangzhou.pk, fmt])}"' in html


# --- Attachment 3 ---------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["expert", "admin_user", "recommender_hz", "applicant_a"])
def test_blank_attachment3_for_any_signed_in_user(request, open_edition, persona):
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse("documents:attachment3", args=[2026, "pdf"]))

    assert (response.status_code, response["Content-Disposition"]) == (
        200,
        _disposition("附件3_评价表_2026.pdf"),
    )
    text = _pdf_text(response.content)
    assert "2026 年浙江省工程建设质量信得过班组建设成果评价表" in text
    assert "需求确定" in text


def test_blank_attachment3_of_an_unknown_edition_is_404(expert):
    response = client_for(expert).get(reverse("documents:attachment3", args=[1999, "pdf"]))

    assert response.status_code == 404


def test_blank_attachment3_is_linked_from_the_expert_home_and_the_edition_page(
    open_edition, expert, admin_user
):
    link = f'href="{reverse("documents:attachment3", args=[2026, "pdf"])}"'
    home = client_for(expert).get(reverse("home"), follow=True).content.decode()
    edition_page = client_for(admin_user).get(
        reverse("manage:edition_edit", args=[open_edition.pk])
    )

    assert link in home
    assert link in edition_page.content.decode()


@pytest.fixture
def hz_sheet(recommended, recommender_hz):
    return score(recommended, recommender_hz, 88)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("recommender_hz", 200),
        ("colleague_hz", 200),
        ("admin_user", 200),
        ("recommender_nb", 404),
        ("owner", 404),
        ("expert", 404),
    ],
)
def test_filled_attachment3_by_persona(request, hz_sheet, hangzhou, persona, status):
    if persona == "owner":
        user = hz_sheet.application.created_by
    elif persona == "colleague_hz":
        user = UserFactory(username="rec_hz_2", role=Role.RECOMMENDER, recommender=hangzhou)
    else:
        user = request.getfixturevalue(persona)

    response = client_for(user).get(
        reverse("documents:attachment3_sheet", args=[hz_sheet.pk, "pdf"])
    )

    assert response.status_code == status
    if status == 200:
        text = _pdf_text(response.content)
        assert "钢筋班" in text
        assert "88" in text


def test_a_draft_sheet_has_no_attachment3_even_for_its_scorer(recommended, recommender_hz):
    draft = score(recommended, recommender_hz, 70, submit=False)

    response = client_for(recommender_hz).get(
        reverse("documents:attachment3_sheet", args=[draft.pk, "docx"])
    )

    assert response.status_code == 404


def test_the_sheets_page_links_each_submitted_sheet(hz_sheet, recommender_hz):
    html = (
        client_for(recommender_hz)
        .get(reverse("recommendations:score", args=[hz_sheet.application.pk]))
        .content.decode()
    )

    assert f'href="{reverse("documents:attachment3_sheet", args=[hz_sheet.pk, "pdf"])}"' in html
