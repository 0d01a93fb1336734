"""Importing experts from a spreadsheet: reading the file safely, the preview row by row, the
import in one go, and the template to fill in."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from banzu.accounts.enums import Role
from banzu.accounts.models import User
from banzu.audit.models import AuditEntry
from banzu.review.forms.pool import ImportConfirmForm
from banzu.review.models import ExpertProfile
from tests.conftest import client_for
from tests.factories import EnterpriseFactory, UserFactory
from tests.review.conftest import make_expert

HEADERS = ["姓名", "工作单位", "所在城市", "专业领域", "手机", "电子邮箱", "所属推荐单位"]


def workbook_bytes(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "专家名单.xlsx"):
    return client.post(reverse("review:expert_import"), {"file": SimpleUploadedFile(name, content)})


def confirm(client, preview, **kwargs):
    payload = preview.context["confirm"].initial["payload"]
    return client.post(reverse("review:expert_import"), {"payload": payload}, **kwargs)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def file_error(response) -> list[str]:
    return response.context["form"].errors["file"]


@pytest.fixture
def known_expert(db):
    """李强, already in the pool, reached by his e-mail."""
    user = make_expert(
        "li_qiang", organisation="浙江工业大学", city="杭州", specialities=["市政公用工程"]
    )
    user.full_name, user.email, user.phone = "李强", "li.qiang@zjut.edu.cn", "13957112345"
    user.save()
    return user


@pytest.fixture
def mixed_rows(hangzhou, applicant_a, known_expert):
    return [
        HEADERS,
        ["张伟", "浙江省建工集团有限责任公司", "杭州", "房屋建筑工程、钢结构工程", 13605792309,
         "zhang.wei@zju.edu.cn", "杭州"],
        ["李强", "", "", "公路工程", "", "LI.QIANG@zjut.edu.cn", ""],
        ["", "某单位", "", "", "", "nobody@example.com", ""],
        ["赵敏", "某单位", "", "", "", "", ""],
        ["孙丽", "某单位", "", "", "12345", "sun.li@example.com", "杭州"],
        ["周杰", "某单位", "", "", "", "zhou.jie@example.com", "上海市建筑业协会"],
        ["吴军", "某单位", "", "", "", "applicant_a@example.com", ""],
        ["郑洁", "某单位", "", "", "", "zhang.wei@zju.edu.cn", ""],
        [None, None, None, None, None, None, None],
        ["钱进", "", "", "", "", "qian.jin@example.com", ""],
    ]  # fmt: skip


# --- the preview --------------------------------------------------------------------------


def test_the_preview_says_what_each_row_would_do_and_writes_nothing(admin_user, mixed_rows):
    users_before = User.objects.count()

    response = upload(client_for(admin_user), workbook_bytes(mixed_rows))

    plan = response.context["plan"]
    assert [(row.number, row.action, row.reasons) for row in plan.rows] == [
        (2, "create", []),
        (3, "update", []),
        (4, "refuse", ["the name is missing"]),
        (5, "refuse", ["the e-mail is missing"]),
        (6, "refuse", ["the phone number 12345 is not valid"]),
        (7, "refuse", ["the recommender 上海市建筑业协会 is unknown"]),
        (8, "refuse", ["the e-mail belongs to the account applicant_a, which is not an expert"]),
        (9, "refuse", ["the e-mail is also on row 2"]),
        (11, "refuse", ["the organisation is missing"]),
    ]
    assert "1 to add, 1 to update, 7 refused." in response.content.decode()
    assert "Import 2 rows</button>" in response.content.decode()
    assert User.objects.count() == users_before
    assert AuditEntry.objects.filter(action__startswith="expert.").count() == 0


def test_confirming_imports_every_valid_row_in_one_go(admin_user, mixed_rows, hangzhou):
    employer = EnterpriseFactory(name="浙江省建工集团有限责任公司")
    client = client_for(admin_user)
    preview = upload(client, workbook_bytes(mixed_rows))

    response = confirm(client, preview, follow=True)

    new = ExpertProfile.objects.select_related("user").get(user__email="zhang.wei@zju.edu.cn")
    known = ExpertProfile.objects.select_related("user").get(user__username="li_qiang")
    entry = AuditEntry.objects.get(action="expert.import")
    assert response.redirect_chain == [("/review/experts/", 302)]
    assert messages_of(response) == ["Import done: 1 added, 1 updated."]
    assert (new.user.username, new.user.role, new.user.has_usable_password()) == (
        "zhang.wei",
        Role.EXPERT,
        False,
    )
    assert (new.user.full_name, new.user.phone, new.organisation, new.city) == (
        "张伟",
        "13605792309",
        "浙江省建工集团有限责任公司",
        "杭州",
    )
    assert (new.specialities, list(new.recommenders.all()), new.employer) == (
        ["房屋建筑工程", "钢结构工程"],
        [hangzhou],
        employer,
    )
    # Empty cells keep what was there; the e-mail is written as the file has it.
    assert (known.user.email, known.user.phone, known.organisation, known.city) == (
        "LI.QIANG@zjut.edu.cn",
        "13957112345",
        "浙江工业大学",
        "杭州",
    )
    assert known.specialities == ["公路工程"]
    assert entry.data == {"created": 1, "updated": 1, "refused": []}
    assert AuditEntry.objects.filter(action="expert.create").count() == 1
    assert AuditEntry.objects.get(action="expert.update").data == {
        "fields": ["email", "specialities"]
    }


def test_rows_are_checked_again_at_the_confirmation(admin_user):
    client = client_for(admin_user)
    preview = upload(
        client,
        workbook_bytes(
            [
                HEADERS,
                ["张伟", "浙大", "", "", "", "zhang.wei@zju.edu.cn", ""],
                ["陈静", "浙大", "", "", "", "chen.jing@zju.edu.cn", ""],
            ]
        ),
    )
    UserFactory(username="chen_applicant", email="chen.jing@zju.edu.cn")

    response = confirm(client, preview, follow=True)

    assert messages_of(response) == [
        "Import done: 1 added, 0 updated.",
        "Not imported: row 3 (the e-mail belongs to the account chen_applicant, which is "
        "not an expert)",
    ]
    assert list(ExpertProfile.objects.values_list("user__email", flat=True)) == [
        "zhang.wei@zju.edu.cn"
    ]
    assert AuditEntry.objects.get(action="expert.import").data == {
        "created": 1,
        "updated": 0,
        "refused": [3],
    }


def test_an_expert_account_without_a_profile_gets_one(admin_user, expert):
    client = client_for(admin_user)
    preview = upload(
        client,
        workbook_bytes([HEADERS, ["刘洋", "浙江大学", "", "", "", "expert_1@example.com", ""]]),
    )

    confirm(client, preview)

    profile = ExpertProfile.objects.get()
    assert [row.action for row in preview.context["plan"].rows] == ["create"]
    assert (profile.user_id, profile.organisation, profile.user.full_name) == (
        expert.pk,
        "浙江大学",
        "刘洋",
    )
    assert User.objects.filter(role=Role.EXPERT).count() == 1


def test_a_tampered_or_foreign_preview_is_refused(admin_user, mixed_rows):
    client = client_for(admin_user)
    preview = upload(client, workbook_bytes(mixed_rows))
    payload = preview.context["confirm"].initial["payload"]
    other_admin = UserFactory(username="other_admin", role=Role.ADMIN)
    forged = ImportConfirmForm.sign(
        [(2, {"name": "假", "email": "x@example.com"})], user_pk=other_admin.pk
    )

    tampered = client.post(
        reverse("review:expert_import"), {"payload": payload[:-3] + "abc"}, follow=True
    )
    foreign = client.post(reverse("review:expert_import"), {"payload": forged}, follow=True)

    expired = ["The preview has expired; upload the file again."]
    assert (messages_of(tampered), messages_of(foreign)) == (expired, expired)
    assert ExpertProfile.objects.filter(user__email="zhang.wei@zju.edu.cn").exists() is False
    assert ExpertProfile.objects.count() == 1


# --- reading the file ---------------------------------------------------------------------


def test_a_gbk_csv_with_english_headers_is_read(admin_user):
    text = (
        "Name,Organisation,City,Specialities,Phone,E-mail\n"
        "陈静,浙江大学,杭州,公路工程；水利水电工程,0571-81956046,chen.jing@zju.edu.cn\n"
    )

    response = upload(client_for(admin_user), text.encode("gbk"), name="experts.csv")

    (row,) = response.context["plan"].rows
    assert (row.action, row.data.full_name, row.data.specialities, row.data.phone) == (
        "create",
        "陈静",
        ("公路工程", "水利水电工程"),
        "0571-81956046",
    )


def test_a_utf8_csv_with_a_bom_is_read(admin_user):
    text = "\ufeff姓名,工作单位,邮箱\n陈静,浙江大学,chen.jing@zju.edu.cn\n"

    response = upload(client_for(admin_user), text.encode("utf-8"), name="experts.CSV")

    assert [row.full_name for row in response.context["plan"].rows] == ["陈静"]


def test_a_file_without_name_and_email_columns_is_refused(admin_user):
    response = upload(client_for(admin_user), workbook_bytes([["单位", "城市"], ["浙大", "杭州"]]))

    assert file_error(response) == [
        "The first row must name the columns; missing: 姓名 (name), 电子邮箱 (email)."
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("experts.xls", b"\xd0\xcf\x11\xe0", "Upload an Excel workbook (.xlsx) or a CSV file."),
        (
            "experts.xlsx",
            b"name,email\n",
            "The file's content does not match its extension (for example a renamed file). "
            "Please save it again in the right format.",
        ),
        ("experts.xlsx", b"PK\x03\x04broken", "The file is not a readable Excel workbook."),
        ("experts.csv", b"\xff\xfe\x00\xd8\x00", "The CSV file is neither UTF-8 nor GBK text."),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(admin_user, name, content, message):
    response = upload(client_for(admin_user), content, name=name)

    assert file_error(response) == [message]
    assert "plan" not in response.context


def test_a_file_over_5_mb_is_refused(admin_user):
    response = upload(client_for(admin_user), b"a" * (5 * 1024 * 1024 + 1), name="big.csv")

    assert file_error(response) == ["The file is too large: at most 5 MB is allowed."]


def _with_entry(content: bytes, name: str, data: bytes) -> bytes:
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def test_a_workbook_with_macros_is_refused(admin_user):
    content = _with_entry(workbook_bytes([HEADERS]), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0" * 10)

    response = upload(client_for(admin_user), content)

    assert file_error(response) == [
        "The workbook contains macros. Save it as a plain .xlsx and upload it again."
    ]


def test_a_workbook_with_a_doctype_is_refused(admin_user):
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    content = _with_entry(workbook_bytes([HEADERS]), "xl/custom.xml", xml)

    response = upload(client_for(admin_user), content)

    assert file_error(response) == ["The file contains forbidden XML declarations and was refused."]


def test_a_compressed_bomb_is_refused(admin_user):
    buffer = io.BytesIO(workbook_bytes([HEADERS]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.bin", b"\0" * (8 * 1024 * 1024))

    response = upload(client_for(admin_user), buffer.getvalue())

    assert file_error(response) == [
        "The file is malformed or unreasonably compressed and was refused."
    ]


# --- the template -------------------------------------------------------------------------


def test_the_template_has_the_chinese_headers_and_reads_back_empty(admin_user):
    client = client_for(admin_user)

    response = client.get(reverse("review:expert_import_template"))

    sheets = load_workbook(io.BytesIO(response.content))
    first = sheets.worksheets[0]
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E4%B8%93%E5%AE%B6%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"
    )
    assert [cell.value for cell in first[1]] == HEADERS
    assert (first.title, first.max_row) == ("专家名单", 1)
    back = upload(client, response.content, name="专家名单模板.xlsx")
    assert back.context["plan"].rows == []


def test_the_template_lists_recommenders_and_keeps_formula_like_names_as_text(admin_user):
    EnterpriseFactory(industry='=HYPERLINK("http://evil.example","点我")')

    response = client_for(admin_user).get(reverse("review:expert_import_template"))

    values = load_workbook(io.BytesIO(response.content))["可选值"]
    cell = next(c for c in values["C"] if str(c.value).startswith("="))
    assert [c.value for c in values[2]] == ["杭州市建筑业协会", "杭州", cell.value]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (
        '=HYPERLINK("http://evil.example","点我")',
        "s",
        True,
    )
