from __future__ import annotations

import pytest

from banzu.audit.models import AuditEntry
from banzu.certificates import services
from banzu.certificates.models import Certificate, CertificateState
from banzu.core.errors import ServiceError
from banzu.publicity import publication
from banzu.results.versions import seal
from tests.certificates.conftest import NOTICE, NOTICE_DATE


def test_every_awarded_team_of_the_published_version_gets_one_certificate(world, issued, edition):
    assert [(c.serial, c.application_id, c.fields["award"]) for c in issued] == [
        ("ZJQC-2026-001", world.own.pk, "一等奖"),
        ("ZJQC-2026-002", world.other.pk, "二等奖"),
        ("ZJQC-2026-003", world.team("丁班组").pk, "三等奖"),
        ("ZJQC-2026-004", world.team("戊班组").pk, "优秀奖"),
        ("ZJQC-2026-005", world.team("己班组").pk, "优秀奖"),
    ]
    assert {c.version_id for c in issued} == {world.publicity.version_id}
    assert issued[0].fields == {
        "association": "浙江省工程建设质量管理协会",
        "edition": edition.title,
        "team": "甲班组",
        "enterprise": "浙江甲建设有限公司",
        "award": "一等奖",
        "notice_number": NOTICE,  # the publication's, not typed again
        "date": NOTICE_DATE.isoformat(),
    }
    tokens = {c.token for c in issued}
    assert len(tokens) == 5
    assert all(len(t) >= 32 and "ZJQC" not in t for t in tokens)
    event = AuditEntry.objects.get(action="certificates.issued")
    assert (event.data["count"], event.data["notice_number"]) == (5, NOTICE)


def test_nothing_is_issued_before_the_final_publication(unpublished, admin_user):
    with pytest.raises(ServiceError) as refused:
        services.issue(unpublished.version, by=admin_user)
    assert refused.value.code == "unpublished"
    assert str(refused.value) == (
        "Certificates are issued after the final publication of the results."
    )
    assert Certificate.objects.count() == 0

    publicity = publication.publish(
        unpublished.publicity, notice_number=NOTICE, notice_date=NOTICE_DATE, by=admin_user
    )
    issued = services.issue(unpublished.version, by=admin_user)
    assert len(issued) == 5
    assert {c.fields["notice_number"] for c in issued} == {publicity.notice_number} == {NOTICE}


def test_only_the_published_version_issues(world, admin_user):
    later = seal(world.edition, by=admin_user, reason="a sheet reopened after publication")
    with pytest.raises(ServiceError) as refused:
        services.issue(later, by=admin_user)
    assert refused.value.code == "version"
    assert str(refused.value) == (
        "Certificates are issued from the published results version (version 1)."
    )
    assert Certificate.objects.count() == 0


def test_issuing_again_adds_nothing_and_renaming_the_team_changes_no_certificate(
    world, issued, admin_user
):
    team = world.own.team
    team.name = "改名班组"
    team.save()
    again = services.issue(world.version, by=admin_user)
    assert [c.pk for c in again] == [c.pk for c in issued]
    assert again[0].fields["team"] == "甲班组"
    assert AuditEntry.objects.filter(action="certificates.issued").count() == 1


def test_revoking_needs_the_admin_and_a_reason_and_is_journalled(issued, admin_user, applicant_a):
    certificate = issued[0]
    with pytest.raises(ServiceError) as refused:
        services.revoke(certificate, by=admin_user, reason=" ")
    assert refused.value.code == "reason"
    with pytest.raises(ServiceError) as refused:
        services.revoke(certificate, by=applicant_a, reason="mine")
    assert refused.value.code == "forbidden"
    revoked = services.revoke(certificate, by=admin_user, reason="异议成立，取消资格")
    assert revoked.state == CertificateState.REVOKED
    assert revoked.revoked_by == admin_user
    assert revoked.revoked_at is not None
    event = AuditEntry.objects.get(action="certificate.revoke")
    assert event.data["serial"] == "ZJQC-2026-001"
    with pytest.raises(ServiceError) as refused:
        services.revoke(revoked, by=admin_user, reason="twice")
    assert refused.value.code == "not_allowed"
