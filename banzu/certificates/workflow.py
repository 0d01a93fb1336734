"""The certificate's one move: the admin revokes a valid certificate, with a reason."""

from __future__ import annotations

from banzu.certificates.models import CertificateState
from banzu.core.workflow import Machine, rule

CERTIFICATE = Machine(
    name="certificate",
    rules={
        (CertificateState.VALID, CertificateState.REVOKED): rule("revoke", "admin", reason=True),
    },
    states=frozenset(CertificateState.values),
)
