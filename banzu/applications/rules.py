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


# Units above a team. A team name carrying one hangs the team under its parent ("第三项目部钢筋班"),
# which the notice's 不挂上级单位 forbids. Longest first, so the reported part is the whole word.
PARENT_UNIT_WORDS = (
    "项目经理部",
    "项目部",
    "分公司",
    "子公司",
    "公司",
    "集团",
    "指挥部",
    "事业部",
    "工程处",
    "分厂",
)


def team_name_parent_part(team_name: str, enterprise_name: str) -> str:
    """The part of a team name that names a unit above it (the enterprise, or a project
    department, branch...), or "" when the name stands alone as 不挂上级单位 asks."""
    compact_team = re.sub(r"\s+", "", team_name)
    full = re.sub(r"\s+", "", enterprise_name)
    core = enterprise_core_name(full)
    if full and full in compact_team:
        return full
    if len(core) >= 2 and core in compact_team:
        return core
    for word in PARENT_UNIT_WORDS:
        if word in compact_team:
            # With its numbering or name in front when there is one: 第三项目部, 城东分公司.
            match = re.search(
                r"(第[一二三四五六七八九十百\d]+|[^班组队]{0,4}?)" + word, compact_team
            )
            return match.group(0) if match else word
    return ""


def team_name_carries_parent(team_name: str, enterprise_name: str) -> bool:
    """True when a team name includes a unit above it (不挂上级单位 forbids it)."""
    return bool(team_name_parent_part(team_name, enterprise_name))


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
