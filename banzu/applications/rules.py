"""Completeness and eligibility rules of Attachment 1, without Django.

`problems()` lists everything that stops a submission at once, so the applicant can fix all of it
in one pass. Each problem has a stable code; the Django layer turns codes into translated text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

REQUIRED_FIELDS = (
    "experience_title",
    "member_count",
    "contact_name",
    "contact_phone",
    "work_completion_rate",
    "quality_pass_rate",
    "nonconforming_count",
    "accident_count",
    "complaint_count",
    "first_pass_rate",
    "training_people",
    "training_hours",
    "improvement_participation_rate",
    "quality_cost",
    "narrative_team",
    "narrative_management",
    "narrative_skills",
    "narrative_improvement",
    "narrative_results",
    "narrative_honours",
)
ENTERPRISE_FIELDS = (
    "name",
    "industry",
    "ownership",
    "address",
    "supervising_department",
    "supervising_contact",
    "supervising_phone",
)
REQUIRED_DOCUMENTS = ("materials_docx", "materials_pdf", "presentation", "signed_form")

_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "总公司",
    "分公司",
    "集团",
    "公司",
)


@dataclass(frozen=True)
class Problem:
    code: str  # "missing_field", "missing_enterprise_field", "missing_document", "accidents", ...
    field: str = ""


def enterprise_core_name(name: str) -> str:
    """The distinctive part of an enterprise name: its legal-form suffixes removed."""
    core = name.strip()
    changed = True
    while changed:
        changed = False
        for suffix in _LEGAL_SUFFIXES:
            if core.endswith(suffix) and len(core) > len(suffix):
                core = core[: -len(suffix)]
                changed = True
    return core


def team_name_carries_parent(team_name: str, enterprise_name: str) -> bool:
    """True when a team name includes its enterprise's name (不挂上级单位 forbids it)."""
    compact_team = re.sub(r"\s+", "", team_name)
    full = re.sub(r"\s+", "", enterprise_name)
    core = enterprise_core_name(full)
    return bool(full and full in compact_team) or (len(core) >= 2 and core in compact_team)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def problems(
    application: Any, enterprise: Any, current_document_kinds: Iterable[str]
) -> list[Problem]:
    found: list[Problem] = []
    for name in ENTERPRISE_FIELDS:
        if _blank(getattr(enterprise, name)):
            found.append(Problem("missing_enterprise_field", name))
    for name in REQUIRED_FIELDS:
        if _blank(getattr(application, name)):
            found.append(Problem("missing_field", name))
    kinds = set(current_document_kinds)
    for kind in REQUIRED_DOCUMENTS:
        if kind not in kinds:
            found.append(Problem("missing_document", kind))
    if application.accident_count is not None and application.accident_count > 0:
        found.append(Problem("accidents", "accident_count"))
    if not application.no_accident_declared:
        found.append(Problem("no_accident_declaration", "no_accident_declared"))
    if not application.originality_pledged:
        found.append(Problem("originality_pledge", "originality_pledged"))
    if team_name_carries_parent(application.team.name, enterprise.name):
        found.append(Problem("team_name", "team"))
    return found
