"""Publicity (公示) and objections (异议): the window, the public page, the objection form, the
status look-up and the admin's handling, with the personas of tests/conftest and conftest."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from banzu.applications.enums import ApplicationState
from banzu.audit.models import AuditEntry
from banzu.core.errors import ServiceError
from banzu.publicity import services
from banzu.publicity.models import Objection, ObjectionFile, ObjectionState, Publicity
from banzu.publicity.selectors import listed_rows
from banzu.results import workdays
from banzu.results.models import ResultsVersion
from banzu.results.versions import seal, settings_for
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.publicity.conftest import OBJECTOR, TODAY, pdf_bytes, pdf_file, png_bytes
from tests.results.test_gather import build_results
from tests.uploads.hostile import one_page_pdf

# --- The window's end date ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # 2026 国庆: 1–7 October off, Saturday 10 October worked (调休).
        (dt.date(2026, 9, 28), 5, dt.date(2026, 10, 9)),
        (dt.date(2026, 9, 28), 7, dt.date(2026, 10, 12)),
        # Starting inside the holiday: the first working day is 8 October.
        (dt.date(2026, 10, 3), 3, dt.date(2026, 10, 10)),
        (dt.date(2026, 12, 7), 5, dt.date(2026, 12, 11)),
    ],
)
def test_the_window_ends_on_the_right_working_day_around_national_day(start, days, end):
    assert services.Window(starts_on=start, working_days=days).ends_on() == end


def test_a_window_past_the_known_calendar_is_refused_with_the_reason():
    with pytest.raises(ServiceError) as refused:
        services.Window(starts_on=dt.date(2027, 2, 8), working_days=5).ends_on()
    assert refused.value.code == "calendar"
    assert str(refused.value).startswith("The holiday calendar does not cover 2027-02-08")


def test_a_window_in_2027_is_accepted_once_the_association_enters_the_days():
    # 2027 春节 as the association enters it: 6–12 February off (Sat 13 Feb worked).
    window = services.Window(
        starts_on=dt.date(2027, 2, 3),
        working_days=5,
        extra_holidays=frozenset(
            dt.date(2027, 2, d) for d in range(6, 13) if dt.date(2027, 2, d).weekday() < 5
        )
        | frozenset({dt.date(2027, 1, 1)}),
        extra_workdays=frozenset({dt.date(2027, 2, 13)}),
        covered_until=dt.date(2027, 3, 31),
    )
    # 3, 4, 5 February, Saturday 13 February, Monday 15 February.
    assert window.ends_on() == dt.date(2027, 2, 15)
    assert workdays.known_until() == dt.date(2026, 12, 24)


# --- Opening -----------------------------------------------------------------------------------


def test_admin_sees_the_end_date_then_opens_and_the_listed_teams_are_mailed(
    sealed, admin_user, recommender_hz, django_capture_on_commit_callbacks
):
    jia = sealed.team("甲班组")
    UserFactory(username="jia_staff", email="jia@example.cn", enterprise=jia.team.enterprise)
    recommender_hz.recommender = jia.recommender
    recommender_hz.email = "rec@example.cn"
    recommender_hz.save()
    client = client_for(admin_user)
    url = reverse("publicity:open", kwargs={"year": 2026})

    shown = client.post(url, {"starts_on": "2026-09-28", "working_days": "5"})
    assert shown.status_code == 200
    assert 'data-ends-on="2026-10-09"' in shown.content.decode()
    assert not Publicity.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"starts_on": "2026-09-28", "working_days": "5", "confirm": "1"}
        )
    assert response.status_code == 302
    publicity = Publicity.objects.get()
    assert (publicity.starts_on, publicity.ends_on, publicity.working_days) == (
        dt.date(2026, 9, 28),
        dt.date(2026, 10, 9),
        5,
    )
    assert publicity.version == sealed.version
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert "jia@example.cn" in recipients
    assert "rec@example.cn" in recipients
    assert mail.outbox[0].subject == "Publicity of the 2026 results: 2026-09-28 to 2026-10-09"
    assert AuditEntry.objects.filter(action="publicity.opened").count() == 1


def test_admin_is_told_plainly_when_the_calendar_does_not_cover_the_window(sealed, admin_user):
    response = client_for(admin_user).post(
        reverse("publicity:open", kwargs={"year": 2026}),
        {"starts_on": "2027-02-08", "working_days": "5", "confirm": "1"},
    )
    assert response.status_code == 200
    assert "The holiday calendar does not cover 2027-02-08" in response.content.decode()
    assert not Publicity.objects.exists()


def test_opening_without_a_sealed_version_is_refused(edition, admin_user):
    with pytest.raises(ServiceError) as refused:
        services.open_publicity(edition, services.Window(TODAY, 5), by=admin_user)
    assert refused.value.code == "unsealed"


# --- The public page ---------------------------------------------------------------------------


def test_the_public_page_does_not_exist_before_the_window(sealed, admin_user, monkeypatch):
    url = reverse("publicity:public", kwargs={"year": 2026})
    assert Client().get(url).status_code == 404
    services.open_publicity(
        sealed.edition,
        services.Window(starts_on=dt.date(2026, 12, 8), working_days=5),
        by=admin_user,
    )
    assert Client().get(url).status_code == 404  # opens tomorrow
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 12, 8))
    assert Client().get(url).status_code == 200


def test_the_public_page_lists_the_proposed_awards_without_scores(opened, sealed):
    response = Client().get(reverse("publicity:public", kwargs={"year": 2026}))
    text = response.content.decode()
    assert response.status_code == 200
    for team in ("甲班组", "乙班组", "丁班组", "戊班组", "己班组"):
        assert team in text
    for absent in ("丙班组", "庚班组", "辛班组"):
        assert absent not in text
    assert text.index("甲班组") < text.index("乙班组") < text.index("丁班组") < text.index("戊班组")
    assert "一等奖" in text
    assert "优秀奖" in text
    assert "87.90" not in text
    assert "2026-12-07 – 2026-12-11" in text
    assert reverse("publicity:object", kwargs={"year": 2026}) in text


def test_the_public_page_shows_totals_when_the_edition_says_so(opened):
    settings = opened.edition.results_settings
    settings.show_scores_in_publicity = True
    settings.save()
    text = Client().get(reverse("publicity:public", kwargs={"year": 2026})).content.decode()
    assert "87.90" in text
    assert "87.37" in text


def test_a_room_secretary_is_outside_the_public_pages(opened, secretary):
    response = client_for(secretary).get(reverse("publicity:public", kwargs={"year": 2026}))
    assert response.status_code == 404


# --- Filing an objection -----------------------------------------------------------------------


def objection_post(team_pk: int, **changes):
    return {**OBJECTOR, "application": str(team_pk), **changes}


def test_an_individual_files_an_objection_with_evidence_and_gets_a_receipt(
    opened, sealed, django_capture_on_commit_callbacks
):
    jia = sealed.team("甲班组")
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(
            reverse("publicity:object", kwargs={"year": 2026}),
            objection_post(
                jia.pk,
                evidence=[
                    pdf_file(),
                    SimpleUploadedFile("照片.png", png_bytes(), content_type="image/png"),
                ],
            ),
        )
    assert response.status_code == 200
    objection = Objection.objects.get()
    assert objection.receipt in response.content.decode()
    assert len(objection.receipt) == 19
    assert (objection.real_name, objection.application, objection.state) == (
        "王敏",
        jia,
        ObjectionState.RECEIVED,
    )
    assert sorted(f.kind for f in ObjectionFile.objects.all()) == ["pdf", "png"]
    assert objection.ip_hash == services.hash_ip("127.0.0.1")
    assert objection.ip_hash != "127.0.0.1"
    assert mail.outbox[-1].to == ["wangmin@example.cn"]
    assert objection.receipt in mail.outbox[-1].body
    entry = AuditEntry.objects.get(action="publicity.objection_filed")
    assert "王敏" not in str(entry.data)


def test_an_anonymous_objection_is_refused(opened, sealed):
    response = Client().post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(sealed.team("甲班组").pk, real_name="  "),
    )
    assert response.status_code == 400
    assert (
        "Anonymous objections are not accepted: give your real name." in response.content.decode()
    )
    assert not Objection.objects.exists()


def test_a_late_objection_is_refused(opened, sealed, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 12, 12))
    url = reverse("publicity:object", kwargs={"year": 2026})
    assert "The publicity period is not open" in Client().get(url).content.decode()
    with pytest.raises(ServiceError) as refused:
        services.file_objection(
            opened,
            services.ObjectionData(
                objector_kind="person",
                real_name="王敏",
                organisation="",
                phone="1",
                email="w@example.cn",
                application_id=sealed.team("甲班组").pk,
                grounds="x",
            ),
        )
    assert refused.value.code == "closed"
    assert str(refused.value) == (
        "Objections are accepted only during the publicity window, from 2026-12-07 to "
        "2026-12-11. This objection cannot be accepted."
    )
    response = Client().post(url, objection_post(sealed.team("甲班组").pk))
    assert response.status_code == 400
    assert not Objection.objects.exists()


def test_an_organisation_must_attach_its_stamped_letter(opened, sealed):
    url = reverse("publicity:object", kwargs={"year": 2026})
    post = objection_post(sealed.team("甲班组").pk, objector_kind="organisation")
    refused = Client().post(url, post)
    assert refused.status_code == 400
    assert "An organisation attaches its objection letter bearing its stamp." in (
        refused.content.decode()
    )
    accepted = Client().post(url, {**post, "letter": pdf_file("异议函.pdf")})
    assert accepted.status_code == 200
    assert ObjectionFile.objects.get().role == "letter"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("evil.exe", b"MZ\x90\x00", "Attach PDF, JPEG or PNG files only."),
        ("fake.pdf", b"<html><script>alert(1)</script></html>", "could not be opened"),
        ("fake.png", pdf_bytes(), "could not be opened"),
    ],
)
def test_hostile_files_are_refused_and_nothing_is_stored(opened, sealed, name, content, message):
    response = Client().post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(sealed.team("甲班组").pk, evidence=[SimpleUploadedFile(name, content)]),
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Objection.objects.exists()
    assert not ObjectionFile.objects.exists()


def test_an_oversize_file_is_refused(opened, sealed, monkeypatch):
    monkeypatch.setattr(services, "MAX_FILE_BYTES", 100)
    response = Client().post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(sealed.team("甲班组").pk, evidence=[pdf_file()]),
    )
    assert response.status_code == 400
    assert "A file is larger than 0 MB." in response.content.decode()
    assert not Objection.objects.exists()


def test_the_form_is_rate_limited_per_address(opened, sealed):
    url = reverse("publicity:object", kwargs={"year": 2026})
    team = sealed.team("甲班组").pk
    answers = [
        Client().post(url, objection_post(team), REMOTE_ADDR="10.0.0.9").status_code
        for _ in range(services.ATTEMPTS_PER_HOUR + 1)
    ]
    assert answers == [200] * services.ATTEMPTS_PER_HOUR + [429]
    assert Objection.objects.count() == services.ATTEMPTS_PER_HOUR
    # Another address is not held back.
    assert Client().post(url, objection_post(team), REMOTE_ADDR="10.0.0.10").status_code == 200


def test_the_form_is_csrf_protected(opened, sealed):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(sealed.team("甲班组").pk),
    )
    assert response.status_code == 403
    assert not Objection.objects.exists()


# --- Status, identity, handling ----------------------------------------------------------------


@pytest.fixture
def filed(opened, sealed) -> Objection:
    Client().post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(sealed.team("甲班组").pk, evidence=[pdf_file()]),
    )
    return Objection.objects.get()


def test_the_objector_sees_the_status_with_receipt_and_email(filed):
    url = reverse("publicity:status")
    found = Client().post(url, {"receipt": filed.receipt.lower(), "email": "WANGMIN@example.cn"})
    assert 'data-state="received"' in found.content.decode()
    wrong = Client().post(url, {"receipt": filed.receipt, "email": "other@example.cn"})
    assert "No objection matches this receipt number and e-mail." in wrong.content.decode()
    assert "data-state" not in wrong.content.decode()


def test_the_status_look_up_is_rate_limited_per_address(filed):
    url = reverse("publicity:status")
    wrong = {"receipt": "AAAA-AAAA-AAAA-AAAA", "email": filed.email}
    answers = [
        Client().post(url, wrong, REMOTE_ADDR="10.0.0.7").status_code
        for _ in range(services.LOOKUPS_PER_HOUR + 1)
    ]
    assert answers == [200] * services.LOOKUPS_PER_HOUR + [429]
    # Even the right receipt is held back now; the objection form's own count is separate.
    right = {"receipt": filed.receipt, "email": filed.email}
    held = Client().post(url, right, REMOTE_ADDR="10.0.0.7")
    assert held.status_code == 429
    assert "data-state" not in held.content.decode()
    assert Client().post(url, right, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_the_objectors_identity_reaches_the_admin_alone(
    filed, admin_user, applicant_a, applicant_b, recommender_hz, recommender_nb, expert, secretary
):
    admin_urls = [
        reverse("publicity:objections", kwargs={"year": 2026}),
        reverse("publicity:objection", kwargs={"pk": filed.pk}),
        reverse("publicity:file", kwargs={"pk": filed.pk, "file_pk": filed.files.get().pk}),
    ]
    public_urls = [
        reverse("publicity:public", kwargs={"year": 2026}),
        reverse("publicity:object", kwargs={"year": 2026}),
        reverse("publicity:status"),
    ]
    identity = ["王敏", "13900001111", "wangmin@example.cn", "杭州某监理公司"]
    for user in (None, applicant_a, applicant_b, recommender_hz, recommender_nb, expert, secretary):
        client = client_for(user)
        for url in admin_urls + public_urls:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            for value in identity:
                assert value.encode() not in body, (user, url, value)
            if url in admin_urls:
                assert response.status_code in (302, 404), (user, url)
        # The status page itself shows no identity either.
        status = client.post(
            reverse("publicity:status"), {"receipt": filed.receipt, "email": filed.email}
        )
        for value in ("王敏", "13900001111", "杭州某监理公司"):
            assert value not in status.content.decode()
    admin = client_for(admin_user).get(admin_urls[1]).content.decode()
    for value in identity:
        assert value in admin


def test_admin_decides_and_the_reply_is_mailed(
    filed, admin_user, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    url = reverse("publicity:objection", kwargs={"pk": filed.pk})
    client.post(url, {"action": "notes", "admin_notes": "已核对2024年材料"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "decide", "state": "not_upheld", "reply": "经核查，材料不构成雷同。"}
        )
    assert response.status_code == 302
    filed.refresh_from_db()
    assert (filed.state, filed.admin_notes, filed.decided_by) == (
        "not_upheld",
        "已核对2024年材料",
        admin_user,
    )
    assert mail.outbox[-1].to == ["wangmin@example.cn"]
    assert mail.outbox[-1].body == "Decision: not upheld\n\n经核查，材料不构成雷同。"
    again = client.post(url, {"action": "decide", "state": "upheld", "reply": "x"}, follow=True)
    assert "This objection has already been decided." in again.content.decode()


def test_an_upheld_objection_leads_to_disqualification_and_a_new_version(filed, sealed, admin_user):
    client = client_for(admin_user)
    url = reverse("publicity:objection", kwargs={"pk": filed.pk})
    refused = client.post(url, {"action": "disqualify", "reason": "材料雷同"}, follow=True)
    assert "Only an upheld objection leads to a disqualification." in refused.content.decode()
    client.post(url, {"action": "decide", "state": "upheld", "reply": "异议成立。"})
    response = client.post(url, {"action": "disqualify", "reason": "异议成立：材料雷同"})
    assert response.status_code == 302
    jia = sealed.team("甲班组")
    jia.refresh_from_db()
    assert (jia.state, jia.state_reason) == (ApplicationState.DISQUALIFIED, "异议成立：材料雷同")
    latest = ResultsVersion.objects.get(number=2)
    assert latest.reason == "异议成立：材料雷同"
    assert Publicity.objects.get().version == latest
    filed.refresh_from_db()
    assert filed.disqualified_version == latest
    text = Client().get(reverse("publicity:public", kwargs={"year": 2026})).content.decode()
    assert "甲班组" not in text
    assert "乙班组" in text


# --- The notice of publicity -------------------------------------------------------------------


def test_the_notice_downloads_as_pdf_and_word_with_the_window_and_the_list(opened, tmp_path):
    pdf = Client().get(reverse("publicity:notice", kwargs={"year": 2026, "fmt": "pdf"}))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert "%E5%85%AC%E7%A4%BA_2026.pdf" in pdf["Content-Disposition"]  # 公示_2026.pdf
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "关于2026年度浙江省工程建设质量信得过班组拟表彰名单的公示" in text
    assert "公示期为2026年12月7日至2026年12月11日（5个工作日）" in text
    for team in ("甲班组", "乙班组", "丁班组", "戊班组", "己班组"):
        assert team in text
    assert "丙班组" not in text
    docx = Client().get(reverse("publicity:notice", kwargs={"year": 2026, "fmt": "docx"}))
    assert docx.status_code == 200
    with zipfile.ZipFile(io.BytesIO(docx.content)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "甲班组" in xml
    assert "拟获奖等级" in xml
    missing = Client().get(reverse("publicity:notice", kwargs={"year": 2026, "fmt": "xlsx"}))
    assert missing.status_code == 404


def test_the_notice_does_not_exist_before_the_window(sealed):
    response = Client().get(reverse("publicity:notice", kwargs={"year": 2026, "fmt": "pdf"}))
    assert response.status_code == 404


def test_the_room_awards_are_named_on_the_list(edition, admin_user):
    """Each room's best presentation carries the edition's room award beside its tier (a row
    stores a flag; the list shows the award's name)."""
    build_results(edition)
    settings = settings_for(edition)
    settings.room_award = "最佳发布奖"
    settings.save()
    seal(edition, by=admin_user)
    publicity = services.open_publicity(
        edition, services.Window(starts_on=TODAY, working_days=5), by=admin_user
    )
    tiers = [row.tier for row in listed_rows(publicity)]
    assert sum("最佳发布奖" in tier for tier in tiers) == 2  # one per room
    assert all(tier.count("·") <= 1 for tier in tiers)
    text = Client().get(reverse("publicity:public", kwargs={"year": 2026})).content.decode()
    assert text.count("最佳发布奖") == 2


@pytest.mark.real_parse
def test_evidence_with_a_script_is_refused_with_the_uploads_own_reason(opened, sealed, tmp_path):
    """A PDF that runs JavaScript when opened would reach the admin's machine: it is refused
    with the wording every upload uses, not a vague "could not be opened"."""
    path = one_page_pdf(
        tmp_path / "evil.pdf",
        catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
    )
    response = Client().post(
        reverse("publicity:object", kwargs={"year": 2026}),
        objection_post(
            sealed.team("甲班组").pk,
            evidence=[SimpleUploadedFile("证据.pdf", path.read_bytes())],
        ),
    )
    assert response.status_code == 400
    assert "The PDF contains scripts, automatic actions, forms or multimedia." in (
        response.content.decode()
    )
    assert not ObjectionFile.objects.exists()
