from __future__ import annotations

import pytest

from banzu.audit.models import AuditEntry
from banzu.certificates import services
from banzu.certificates.models import CertificateState
from banzu.core.errors import ServiceError
from banzu.results.enums import VersionState
from tests.certificates.conftest import ISSUED_ON, NOTICE


def test_every_awarded_team_gets_one_certificate_with_frozen_fields(world, issued, edition):
    assert [(c.serial, c.application_id) for c in issued] == [
        ("ZJQC-2026-001", world.own.pk),
        ("ZJQC-2026-002", world.other.pk),
        ("ZJQC-2026-003", world.apart.pk),
    ]
    assert issued[0].fields == {
        "association": "浙江省工程建设质量管理协会",
        "edition": edition.title,
        "team": "钢筋精益班组",
        "enterprise": "浙江甲建设有限公司",
        "award": "一等奖",
        "notice_number": NOTICE,
        "date": "2026-12-08",
    }
    assert issued[2].fields["award"] == "优秀奖"
    tokens = {c.token for c in issued}
    assert len(tokens) == 3
    assert all(len(t) >= 32 and "ZJQC" not in t for t in tokens)


def test_issuing_again_adds_nothing_and_renaming_the_team_changes_no_certificate(
    world, issued, admin_user
):
    world.own.team.name = "改名班组"
    world.own.team.save()
    again = services.issue(world.version, by=admin_user, notice_number="other", issued_on=ISSUED_ON)
    assert [c.pk for c in again] == [c.pk for c in issued]
    assert again[0].fields["team"] == "钢筋精益班组"
    assert AuditEntry.objects.filter(action="certificates.issued").count() == 1


def test_an_unsealed_version_or_a_blank_notice_number_is_refused(world, admin_user):
    with pytest.raises(ServiceError):
        services.issue(world.version, by=admin_user, notice_number="  ", issued_on=ISSUED_ON)
    world.version.state = VersionState.PREVIEW
    world.version.save()
    with pytest.raises(ServiceError):
        services.issue(world.version, by=admin_user, notice_number=NOTICE, issued_on=ISSUED_ON)


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
