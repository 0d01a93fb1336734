from __future__ import annotations

import io
import zipfile

from django.urls import reverse

from banzu.audit.models import AuditEntry
from banzu.certificates import services
from banzu.certificates.models import Certificate, CertificateState, VerificationLog
from banzu.jobs.enums import JobState
from banzu.jobs.models import Job
from tests.certificates.conftest import NOTICE
from tests.conftest import client_for


def _pdf(user, certificate):
    return client_for(user).get(reverse("certificates:pdf", args=[certificate.pk]))


def test_an_applicant_downloads_only_its_own_certificate(issued, applicant_a, applicant_b):
    own, other, _apart = issued
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
    assert [_pdf(recommender_hz, c).status_code for c in issued] == [200, 404, 200]
    assert [_pdf(recommender_nb, c).status_code for c in issued] == [404, 200, 404]
    assert [_pdf(expert, c).status_code for c in issued] == [404, 404, 404]
    page = client_for(recommender_hz).get(reverse("certificates:mine"))
    text = page.content.decode()
    assert "ZJQC-2026-001" in text
    assert "ZJQC-2026-003" in text
    assert "ZJQC-2026-002" not in text
    assert client_for(expert).get(reverse("certificates:mine")).status_code == 404


def test_the_applicants_dashboard_card_lists_its_own_certificate(issued, applicant_a):
    text = client_for(applicant_a).get(reverse("home")).content.decode()
    assert "ZJQC-2026-001" in text
    assert reverse("certificates:pdf", args=[issued[0].pk]) in text
    assert "ZJQC-2026-002" not in text


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
        "钢筋精益班组",
        "浙江甲建设有限公司",
        "一等奖",
        NOTICE,
        "2026-12-08",
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
    when = f"{certificate.revoked_at:%Y-%m-%d}"
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


def test_the_admin_issues_as_a_job_that_produces_one_zip_with_a_pdf_per_awarded_team(
    world, admin_user, applicant_a, django_capture_on_commit_callbacks
):
    admin = client_for(admin_user)
    assert admin.get(reverse("certificates:index")).status_code == 200
    url = reverse("certificates:issue", args=[world.version.pk])
    assert client_for(applicant_a).post(url, {"notice_number": NOTICE}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(url, {"notice_number": NOTICE, "date": "2026-12-08"})
    assert response.status_code == 302
    assert Certificate.objects.filter(version=world.version).count() == 3
    job = Job.objects.get(kind="certificates.zip")
    assert job.state == JobState.DONE  # the immediate backend ran it after the commit
    assert (job.done, job.total) == (3, 3)
    page = admin.get(reverse("certificates:version", args=[world.version.pk]))
    assert reverse("certificates:zip_download", args=[job.pk]) in page.content.decode()
    download = admin.get(reverse("certificates:zip_download", args=[job.pk]))
    assert download.status_code == 200
    content = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert len(archive.namelist()) == 3
        assert all(name.endswith(".pdf") for name in archive.namelist())
    assert (
        client_for(applicant_a).get(reverse("certificates:zip_download", args=[job.pk])).status_code
        == 404
    )


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
