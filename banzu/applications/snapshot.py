"""The enterprise's details as an application shows them: as they were when it was submitted.

Attachment 1 is printed, stamped and scanned, so what the recommender recommends must not drift
when the enterprise edits its data afterwards. Each (re)submission stores the enterprise's details
on the application; a draft (returned ones included) and a withdrawn application show the live
data, which the enterprise is still free to correct before it submits again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from banzu.accounts.enums import Ownership
from banzu.applications.rules import ENTERPRISE_FIELDS

# The enterprise's lines of Attachment 1: what the rules require is what the snapshot keeps.
SNAPSHOT_FIELDS = ENTERPRISE_FIELDS


@dataclass(frozen=True)
class EnterpriseDetails:
    """The enterprise's lines of Attachment 1, read either live or from the snapshot. Shaped
    like the model where the templates read it (`name`, `get_ownership_display`)."""

    name: str
    industry: str
    ownership: str
    address: str
    supervising_department: str
    supervising_contact: str
    supervising_phone: str
    from_submission: bool = False

    def get_ownership_display(self) -> str:
        if self.ownership in Ownership.values:
            return str(Ownership(self.ownership).label)
        return self.ownership

    def as_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in SNAPSHOT_FIELDS}


def take(enterprise: Any) -> dict[str, str]:
    """The snapshot stored on the application at submission."""
    return {name: str(getattr(enterprise, name) or "") for name in SNAPSHOT_FIELDS}


def _details(values: dict[str, Any], *, from_submission: bool) -> EnterpriseDetails:
    def text(name: str) -> str:
        return str(values.get(name, "") or "")

    return EnterpriseDetails(
        name=text("name"),
        industry=text("industry"),
        ownership=text("ownership"),
        address=text("address"),
        supervising_department=text("supervising_department"),
        supervising_contact=text("supervising_contact"),
        supervising_phone=text("supervising_phone"),
        from_submission=from_submission,
    )


def live(enterprise: Any) -> EnterpriseDetails:
    return _details(take(enterprise), from_submission=False)


def from_snapshot(snapshot: dict[str, Any]) -> EnterpriseDetails:
    return _details(snapshot, from_submission=True)


def changed_fields(snapshot: dict[str, Any], enterprise: Any) -> list[str]:
    """The fields whose live value differs from the submitted one, in the form's order."""
    current = take(enterprise)
    return [name for name in SNAPSHOT_FIELDS if str(snapshot.get(name, "")) != current[name]]
