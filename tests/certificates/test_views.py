from __future__ import annotations

import io
import zipfile

from django.urls import reverse
from django.utils.timezone import localdate

from banzu.audit.models import AuditEntry
from banzu.certificates import services
from banzu.certificates.models import Certificate, CertificateState, VerificationLog
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from banzu.publicity import publication
from banzu.results.versions import seal
from tests.certificates.conftest import NOTICE, NOTICE_DATE
from tests.conftest import client_for


def _pdf(user, certificate):
    return client_for(user).get(reverse("certificates:pdf", args=[certificate.pk]))


def test_an_applicant_downloads_only_its_own_certificate(issued, applicant_a, applicant_b):
    own, other = issued[0], issued[1]
    response = _pdf(applicant_a, own)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert _pdf(applicant_a, other).status_code == 404
    assert _pdf(applicant_b, own).status_code == 404
    assert _pdf(applicant_b, other).status_code == 200
    assert _pdf(None, own).status_code == 302


def test_a_recommender_reaches_only_its_regions_certificates(
    issued, recommender_hz, recommender_nb, expert
):
    # 甲 乙 丁 戊 己: only 乙 is 宁波's.
    assert [_pdf(recommender_hz, c).status_code for c in issued] == [200, 404, 200, 200, 200]
    assert [_pdf(recommender_nb, c).status_code for c in issued] == [404, 200, 404, 404, 404]
    assert [_pdf(expert, c).status_code for c in issued] == [404, 404, 404, 404, 404]


def test_the_recommenders_page_lists_its_regions_published_results_with_each_certificate(
    world, issued, recommender_hz, recommender_nb, expert
):
    text = client_for(recommender_hz).get(reverse("certificates:mine")).content.decode()
    for expected in ("甲班组", "丙班组", "丁班组", "戊班组", "己班组"):
        assert expected in text, expected
    for serial in ("ZJQC-2026-001", "ZJQC-2026-003", "ZJQC-2026-004", "ZJQC-2026-005"):
        assert f"{serial} (PDF)" in text, serial
    assert "乙班组" not in text
    assert "ZJQC-2026-002" not in text
    assert "庚班组" not in text  # eliminated: not published
    assert "87.90" in text  # 甲's total
    assert reverse("certificates:pdf", args=[issued[0].pk]) in text
    # The region's workbook and the commendation notice are one click away.
    assert reverse("publicity:region_xlsx", kwargs={"year": 2026}) in text
    assert reverse("publicity:commendation", kwargs={"year": 2026, "fmt": "pdf"}) in text
    nb = client_for(recommender_nb).get(reverse("certificates:mine")).content.decode()
    assert "乙班组" in nb
    assert "ZJQC-2026-002 (PDF)" in nb
    assert "甲班组" not in nb
    assert client_for(expert).get(reverse("certificates:mine")).status_code == 404


def test_the_applicants_dashboard_card_links_its_result_and_certificate(world, issued, applicant_a):
    text = client_for(applicant_a).get(reverse("home")).content.decode()
    assert "Your published results" in text
    assert reverse("certificates:result", args=[world.own.pk]) in text
    assert reverse("certificates:pdf", args=[issued[0].pk]) in text
    assert "ZJQC-2026-001 (PDF)" in text
    assert "ZJQC-2026-002" not in text
    assert "乙班组" not in text


def test_before_publication_no_card_says_anything_about_results(unpublished, applicant_a):
    text = client_for(applicant_a).get(reverse("home")).content.decode()
    assert "Your published results" not in text
    assert "certificates-card" not in text
    assert reverse("certificates:result", args=[unpublished.own.pk]) not in text
    assert "一等奖" not in text
    page = client_for(applicant_a).get(reverse("certificates:mine")).content.decode()
    assert "No result has been published yet." in page
    assert "甲班组" not in page


def test_the_verification_page_shows_every_printed_field_and_logs_the_look(issued, edition):
    certificate = issued[0]
    response = client_for(None).get(
        reverse("certificates:verify", args=[certificate.token]), REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    text = response.content.decode()
    for expected in (
        "This certificate is valid.",
        "ZJQC-2026-001",
        "浙江省工程建设质量管理协会",
        edition.title,
        "甲班组",
        "浙江甲建设有限公司",
        "一等奖",
        NOTICE,
        "2026-12-15",
    ):
        assert expected in text, expected
    log = VerificationLog.objects.get()
    assert (log.certificate, log.outcome) == (certificate, "valid")
    assert len(log.ip_hash) == 64
    assert "203.0.113.9" not in log.ip_hash


def test_a_revoked_certificate_says_so_with_its_date_but_not_the_reason(issued, admin_user):
    certificate = services.revoke(issued[0], by=admin_user, reason="内部原因：材料造假")
    response = client_for(None).get(reverse("certificates:verify", args=[certificate.token]))
    text = response.content.decode()
    assert response.status_code == 200
    when = f"{localdate(certificate.revoked_at):%Y-%m-%d}"  # Beijing's date, as the page
    assert f"This certificate was revoked on {when}. It is no longer valid." in text
    assert "This certificate is valid." not in text
    assert "材料造假" not in text
    assert VerificationLog.objects.get().outcome == "revoked"


def test_a_forged_token_says_plainly_that_no_such_certificate_exists(issued):
    response = client_for(None).get(reverse("certificates:verify", args=["forged-token-123"]))
    assert response.status_code == 404
    text = response.content.decode()
    assert "No such certificate exists." in text
    assert "ZJQC" not in text
    log = VerificationLog.objects.get()
    assert (log.certificate, log.outcome) == (None, "unknown")
    # The serial is not a verification link.
    serial = client_for(None).get(reverse("certificates:verify", args=["ZJQC-2026-001"]))
    assert serial.status_code == 404


def test_before_publication_the_admin_reads_that_certificates_come_after_it(
    unpublished, admin_user
):
    admin = client_for(admin_user)
    text = admin.get(reverse("certificates:index")).content.decode()
    assert "Certificates are issued after the final publication of the results." in text
    assert reverse("certificates:issue", args=[unpublished.version.pk]) not in text
    response = admin.post(reverse("certificates:issue", args=[unpublished.version.pk]))
    assert response.status_code == 302
    assert Certificate.objects.count() == 0
    assert not Job.objects.filter(kind="certificates.zip").exists()
    shown = admin.get(response["Location"]).content.decode()
    assert "Certificates are issued after the final publication of the results." in shown


def test_after_publication_the_issue_page_shows_the_notice_number_and_date(world, admin_user):
    text = client_for(admin_user).get(reverse("certificates:index")).content.decode()
    assert NOTICE in text
    assert NOTICE_DATE.isoformat() in text
    assert reverse("certificates:issue", args=[world.version.pk]) in text
    assert 'name="notice_number"' not in text  # no longer typed
    assert "Certificates are issued after the final publication" not in text


def test_the_admin_issues_as_a_job_that_produces_one_zip_with_a_pdf_per_awarded_team(
    world, admin_user, applicant_a, django_capture_on_commit_callbacks
):
    admin = client_for(admin_user)
    url = reverse("certificates:issue", args=[world.version.pk])
    assert client_for(applicant_a).post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url)
    assert response.status_code == 302
    certificates = Certificate.objects.filter(version=world.version)
    assert certificates.count() == 5
    assert {c.fields["notice_number"] for c in certificates} == {NOTICE}
    job = Job.objects.get(kind="certificates.zip")
    assert job.state == JobState.DONE  # the immediate backend ran it after the commit
    assert (job.done, job.total) == (5, 5)
    page = admin.get(reverse("certificates:version", args=[world.version.pk]))
    assert reverse("certificates:zip_download", args=[job.pk]) in page.content.decode()
    download = admin.get(reverse("certificates:zip_download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert len(archive.namelist()) == 5
        assert all(name.endswith(".pdf") for name in archive.namelist())
    assert (
        client_for(applicant_a).get(reverse("certificates:zip_download", args=[job.pk])).status_code
        == 404
    )


def test_publishing_then_issuing_through_the_pages(unpublished, admin_user, applicant_a):
    publication.publish(
        unpublished.publicity, notice_number=NOTICE, notice_date=NOTICE_DATE, by=admin_user
    )
    assert (
        client_for(admin_user)
        .post(reverse("certificates:issue", args=[unpublished.version.pk]))
        .status_code
        == 302
    )
    own = Certificate.objects.get(application=unpublished.own)
    assert (own.serial, own.fields["notice_number"]) == ("ZJQC-2026-001", NOTICE)
    assert _pdf(applicant_a, own).status_code == 200


def test_the_admin_revokes_with_a_reason_through_the_page(issued, admin_user, applicant_a):
    certificate = issued[1]
    url = reverse("certificates:revoke", args=[certificate.pk])
    assert client_for(applicant_a).post(url, {"reason": "x"}).status_code == 404
    admin = client_for(admin_user)
    assert admin.post(url, {"reason": ""}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.state == CertificateState.VALID
    assert admin.post(url, {"reason": "异议成立"}).status_code == 302
    certificate.refresh_from_db()
    assert (certificate.state, certificate.reason) == (CertificateState.REVOKED, "异议成立")
    assert AuditEntry.objects.filter(action="certificate.revoke").count() == 1


def test_a_revoked_certificate_no_longer_downloads_but_for_the_admin(
    issued, admin_user, applicant_a, recommender_hz
):
    own = services.revoke(issued[0], by=admin_user, reason="异议成立")
    assert _pdf(applicant_a, own).status_code == 404
    assert _pdf(recommender_hz, own).status_code == 404
    assert _pdf(admin_user, own).status_code == 200


def test_the_admins_page_query_count_is_flat(
    world, issued, admin_user, django_assert_num_queries, django_assert_max_num_queries
):
    client = client_for(admin_user)
    client.get(reverse("certificates:index"))  # warm the session
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("certificates:index"))
    for reason in ("a sheet reopened", "again"):
        seal(world.edition, by=admin_user, reason=reason)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("certificates:index"))
    text = response.content.decode()
    assert "version 3" in text
    assert "Certificates issued" in text
